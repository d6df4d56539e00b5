/**
 * The server process: read configuration, start, and stop cleanly on
 * SIGINT/SIGTERM. A bad configuration prints one line per problem and exits 1;
 * an uncaught exception or unhandled rejection is logged and exits 70
 * (last-resort.ts) for the supervisor to restart. A command in place of the
 * options (cli.ts: migrate-sqlite-to-postgres) runs instead of the server.
 */
import { parseCommandLine, UsageError } from './cli.js';
import { ConfigError, loadConfig } from './config.js';
import { installLastResort } from './last-resort.js';
import { createLogger } from './logger.js';

/** A stop that takes longer than this exits anyway (docker waits 10 s before SIGKILL). */
const STOP_DEADLINE_MS = 5000;

async function main(): Promise<void> {
  let config;
  try {
    const line = parseCommandLine(process.argv.slice(2));
    if (line.command !== null) {
      // The only command so far.
      const { runMigrateSqliteToPostgres } = await import('./store/migrate-sqlite-to-postgres.js');
      process.exit(await runMigrateSqliteToPostgres(line.args, process.env));
    }
    // Command-line options (e.g. --self-signed) stand for environment variables.
    config = loadConfig({ ...process.env, ...line.env });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      console.error(`Conclave cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  installLastResort(logger);
  // mediasoup reads MEDIASOUP_WORKER_BIN when it is first imported: load it only now.
  const { startApp } = await import('./app.js');
  let app;
  try {
    app = await startApp(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'Conclave cannot start');
    process.exit(1);
  }
  // SIGTERM is what docker compose restart and an upgrade send: app.close() tells every member the server
  // is restarting (they rejoin by themselves once a server is back on this data) and drains within about a second.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal while stopping: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: telling every member the server is restarting');
    setTimeout(() => {
      logger.error({ signal, afterMs: STOP_DEADLINE_MS }, 'did not stop in time: exiting anyway');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
