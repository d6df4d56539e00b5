/**
 * The server process: read configuration, start, and stop cleanly on
 * SIGINT/SIGTERM. A bad configuration prints one line per problem and exits 1.
 */
import { envFromArgs, UsageError } from './cli.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    // Command-line options (e.g. --self-signed) stand for environment variables.
    config = loadConfig({ ...process.env, ...envFromArgs(process.argv.slice(2)) });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      console.error(`Conclave cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  // mediasoup reads MEDIASOUP_WORKER_BIN when it is first imported: load it only now.
  const { startApp } = await import('./app.js');
  let app;
  try {
    app = await startApp(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'Conclave cannot start');
    process.exit(1);
  }
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

void main();
