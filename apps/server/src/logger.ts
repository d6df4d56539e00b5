/**
 * Structured logs (pino, JSON lines on stdout). Child loggers carry the
 * room and peer they speak of, so a line can always be traced to its call.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'conclave' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
