/**
 * The last resort: an exception nobody caught, or a promise rejection nobody
 * handled, is logged (pino, fatal, with what it was and how long the process
 * had run) and the process exits with LAST_RESORT_EXIT_CODE, so the
 * supervisor (Docker's restart policy, systemd's Restart=) starts a clean
 * one. Carrying on after one would leave rooms, transports and sockets in a
 * state nobody can reason about. The hostile-client suite checks that no
 * stranger's input ever gets here.
 */
import type { Logger } from './logger.js';

/** EX_SOFTWARE (sysexits.h): an internal error, told apart from a bad configuration (1). */
export const LAST_RESORT_EXIT_CODE = 70;

type ProcessLike = Pick<NodeJS.Process, 'on'>;

export function installLastResort(
  logger: Logger,
  proc: ProcessLike = process,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  let exiting = false;
  const die = (kind: 'uncaughtException' | 'unhandledRejection', err: unknown, origin?: string) => {
    if (exiting) return;
    exiting = true;
    try {
      logger.fatal(
        {
          err: err instanceof Error ? err : new Error(`non-Error value: ${String(err)}`),
          kind,
          origin,
          uptimeSeconds: Math.round(process.uptime()),
          rssBytes: process.memoryUsage.rss(),
        },
        `${kind}: exiting so that the supervisor restarts Conclave`,
      );
      logger.flush();
    } finally {
      exit(LAST_RESORT_EXIT_CODE);
    }
  };
  proc.on('uncaughtException', (err, origin) => die('uncaughtException', err, origin));
  proc.on('unhandledRejection', (reason) => die('unhandledRejection', reason));
}
