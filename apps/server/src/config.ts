/**
 * Server configuration: read from the environment once at start-up and
 * checked by zod. A bad value stops the start with one clear line per
 * problem, naming the variable, what it holds and what was expected.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const here = path.dirname(fileURLToPath(import.meta.url));
/** apps/web/dist, relative to apps/server/dist or apps/server/src. */
const defaultWebDir = path.resolve(here, '../../web/dist');

const port = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be between 1 and 65535`)
    .max(65535, `${name} must be between 1 and 65535`);

const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' });

export const envSchema = z.object({
  PORT: port('PORT').default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  CONCLAVE_PUBLIC_IP: ipAddress.default('127.0.0.1'),
  CONCLAVE_RTC_LISTEN_IP: ipAddress.default('0.0.0.0'),
  /** First WebRtcServer port; worker i listens on UDP+TCP CONCLAVE_RTC_PORT + i. */
  CONCLAVE_RTC_PORT: port('CONCLAVE_RTC_PORT').default(40000),
  CONCLAVE_WORKERS: z.coerce
    .number({ error: 'CONCLAVE_WORKERS must be a number' })
    .int('CONCLAVE_WORKERS must be a whole number')
    .min(1, 'CONCLAVE_WORKERS must be at least 1')
    .max(64, 'CONCLAVE_WORKERS must be at most 64')
    .default(Math.max(1, os.availableParallelism?.() ?? os.cpus().length)),
  CONCLAVE_DATA_DIR: z.string().min(1).default('./data'),
  CONCLAVE_WEB_DIR: z.string().min(1).default(defaultWebDir),
  CONCLAVE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Origins allowed to open the signaling WebSocket, comma-separated; empty = same host as the request. */
  CONCLAVE_ALLOWED_ORIGINS: z.string().default(''),
  MEDIASOUP_WORKER_BIN: z.string().optional(),
});

export interface Config {
  port: number;
  host: string;
  publicIp: string;
  rtcListenIp: string;
  rtcPort: number;
  workers: number;
  dataDir: string;
  webDir: string;
  logLevel: z.infer<typeof envSchema>['CONCLAVE_LOG_LEVEL'];
  allowedOrigins: string[];
  workerBin: string | undefined;
}

/** Whether the mediasoup package carries a worker binary (it does not when installed offline). */
function bundledWorkerExists(): boolean {
  try {
    const pkg = path.dirname(createRequire(import.meta.url).resolve('mediasoup'));
    accessSync(path.resolve(pkg, '../../worker/out/Release/mediasoup-worker'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates `env`; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(defined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const value = defined[name];
      return `${name}=${JSON.stringify(value)}: ${issue.message.replace(`${name} `, '')}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.CONCLAVE_RTC_PORT + e.CONCLAVE_WORKERS - 1 > 65535) {
    problems.push(
      `CONCLAVE_RTC_PORT=${e.CONCLAVE_RTC_PORT}: with ${e.CONCLAVE_WORKERS} workers the ports would run past 65535`,
    );
  }
  if (e.MEDIASOUP_WORKER_BIN) {
    try {
      accessSync(e.MEDIASOUP_WORKER_BIN, constants.X_OK);
    } catch {
      problems.push(
        `MEDIASOUP_WORKER_BIN=${JSON.stringify(e.MEDIASOUP_WORKER_BIN)}: not an executable file (build it with scripts/mediasoup-worker/build.sh)`,
      );
    }
  } else if (!bundledWorkerExists()) {
    problems.push(
      'MEDIASOUP_WORKER_BIN is not set and mediasoup has no worker binary of its own: run `npm start`, or set it to the output of scripts/mediasoup-worker/build.sh',
    );
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    publicIp: e.CONCLAVE_PUBLIC_IP,
    rtcListenIp: e.CONCLAVE_RTC_LISTEN_IP,
    rtcPort: e.CONCLAVE_RTC_PORT,
    workers: e.CONCLAVE_WORKERS,
    dataDir: path.resolve(e.CONCLAVE_DATA_DIR),
    webDir: path.resolve(e.CONCLAVE_WEB_DIR),
    logLevel: e.CONCLAVE_LOG_LEVEL,
    allowedOrigins: e.CONCLAVE_ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    workerBin: e.MEDIASOUP_WORKER_BIN,
  };
}
