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
import { DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './http/limits.js';
import { redactUrl } from './store/redact-url.js';

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

const commaList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
/** turn:host[:port][?transport=udp|tcp] or turns:…; host is a name, an IPv4 address or [IPv6]. */
const TURN_URL = /^turns?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/;
const flag = (name: string) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: `${name} must be 1 or 0` })
    .default('0')
    .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** Variables whose values are never echoed in an error (they would land in logs). */
export const SECRET_VARIABLES = new Set([
  'CONCLAVE_TURN_SECRET',
  'CONCLAVE_ADMIN_PASSWORD',
  'CONCLAVE_METRICS_TOKEN',
  'CONCLAVE_CLUSTER_SECRET',
]);

/** How a variable's value appears in an error message. */
function shown(name: string, value: string | undefined): string {
  if (SECRET_VARIABLES.has(name)) return '(hidden)';
  if ((name === 'CONCLAVE_DATABASE_URL' || name === 'CONCLAVE_REDIS_URL') && value !== undefined) return JSON.stringify(redactUrl(value));
  return JSON.stringify(value);
}

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
  /**
   * How a room's peers are placed on the workers: `fill` keeps a room on one worker until that worker passes
   * CONCLAVE_WORKER_CPU_SOFT_LIMIT, then spills; `even` spreads every room's peers over all workers.
   */
  CONCLAVE_WORKER_SPREAD: z.enum(['fill', 'even'], { error: 'must be fill or even' }).default('fill'),
  /** Percent of one core a worker may use before a growing room spills onto another worker (fill). */
  CONCLAVE_WORKER_CPU_SOFT_LIMIT: z.coerce
    .number({ error: 'CONCLAVE_WORKER_CPU_SOFT_LIMIT must be a number (percent of one core)' })
    .min(5, 'CONCLAVE_WORKER_CPU_SOFT_LIMIT must be at least 5 (percent of one core)')
    .max(100, 'CONCLAVE_WORKER_CPU_SOFT_LIMIT must be at most 100 (percent of one core)')
    .default(65),
  /**
   * UDP ports for the pipes that carry a meeting's media between its workers (and, later, its nodes); both or
   * neither. Unset: any free port (today's pipes are on loopback, inside one host).
   */
  CONCLAVE_PIPE_PORT_MIN: port('CONCLAVE_PIPE_PORT_MIN').optional(),
  CONCLAVE_PIPE_PORT_MAX: port('CONCLAVE_PIPE_PORT_MAX').optional(),
  CONCLAVE_DATA_DIR: z.string().min(1).default('./data'),
  CONCLAVE_WEB_DIR: z.string().min(1).default(defaultWebDir),
  CONCLAVE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Origins allowed to open the signaling WebSocket, comma-separated; empty = same host as the request. */
  CONCLAVE_ALLOWED_ORIGINS: z.string().default(''),
  MEDIASOUP_WORKER_BIN: z.string().optional(),
  /** TURN servers for browsers, comma-separated turn:/turns: URLs; empty = no TURN. */
  CONCLAVE_TURN_URLS: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      for (const url of commaList(v)) {
        if (!TURN_URL.test(url)) {
          ctx.addIssue({
            code: 'custom',
            message: `${JSON.stringify(url)} is not a TURN URL (turn:host[:port][?transport=udp|tcp] or turns:…)`,
          });
        }
      }
    }),
  /** coturn's static-auth-secret; TURN credentials are signed with it. */
  CONCLAVE_TURN_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters (make one with: openssl rand -hex 32)')
    .regex(/^\S+$/, 'must not contain white space')
    .refine((v) => !/change-?me/i.test(v), 'is still the example value: replace it with the output of openssl rand -hex 32')
    .optional(),
  /**
   * Lifetime of the TURN credentials minted at each join and ICE restart, in
   * seconds. coturn checks it only when a relay is allocated, so a call in
   * progress keeps its relay past it; a leaked credential is useless soon.
   */
  CONCLAVE_TURN_TTL: z.coerce
    .number({ error: 'CONCLAVE_TURN_TTL must be a number of seconds' })
    .int('CONCLAVE_TURN_TTL must be a whole number of seconds')
    .min(60, 'CONCLAVE_TURN_TTL must be at least 60 seconds')
    .max(3600, 'CONCLAVE_TURN_TTL must be at most 3600 seconds (1 hour)')
    .default(600),
  /** TURN credentials one address (IPv6: one /64) may be given per minute, over joins and ICE restarts. */
  CONCLAVE_TURN_CREDENTIALS_PER_MINUTE: z.coerce
    .number({ error: 'CONCLAVE_TURN_CREDENTIALS_PER_MINUTE must be a number' })
    .int('CONCLAVE_TURN_CREDENTIALS_PER_MINUTE must be a whole number')
    .min(1, 'CONCLAVE_TURN_CREDENTIALS_PER_MINUTE must be at least 1')
    .max(1000, 'CONCLAVE_TURN_CREDENTIALS_PER_MINUTE must be at most 1000')
    .default(6),
  /** `relay` makes every browser send media only through TURN. */
  CONCLAVE_ICE_TRANSPORT_POLICY: z.enum(['all', 'relay'], { error: 'must be all or relay' }).default('all'),
  /** PEM certificate (chain) and private key: the server then speaks HTTPS itself. */
  CONCLAVE_TLS_CERT: z.string().optional(),
  CONCLAVE_TLS_KEY: z.string().optional(),
  /** HTTPS with a self-signed certificate kept in the data directory (also: main.js --self-signed). */
  CONCLAVE_TLS_SELF_SIGNED: flag('CONCLAVE_TLS_SELF_SIGNED'),
  /** First start only: with no users yet, create user `admin` with this password (else a setup link is logged). */
  CONCLAVE_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').max(256, 'must be at most 256 characters').optional(),
  /** How long a login lasts, in hours. */
  CONCLAVE_SESSION_HOURS: z.coerce
    .number({ error: 'CONCLAVE_SESSION_HOURS must be a number of hours' })
    .min(0.1, 'CONCLAVE_SESSION_HOURS must be at least 0.1')
    .max(24 * 90, 'CONCLAVE_SESSION_HOURS must be at most 2160 (90 days)')
    .default(12),
  /** Let anyone open a meeting at any /r/<id> without an account (off: only hosts and admins create rooms). */
  CONCLAVE_ALLOW_ANONYMOUS_ROOMS: flag('CONCLAVE_ALLOW_ANONYMOUS_ROOMS'),
  /**
   * Reverse proxies in front whose X-Forwarded-For / X-Forwarded-Proto are trusted, read from the right:
   * 0 (or false/no) = none, 1 (or true/yes) = one, such as the bundled Caddy, N = a chain of N.
   */
  CONCLAVE_TRUST_PROXY: z
    .string()
    .default('0')
    .transform((v, ctx) => {
      const word = v.trim().toLowerCase();
      if (word === 'true' || word === 'yes') return 1;
      if (word === 'false' || word === 'no') return 0;
      if (/^\d{1,2}$/.test(word) && Number(word) <= 10) return Number(word);
      ctx.addIssue({ code: 'custom', message: 'must be a number of proxy hops from 0 to 10 (or true/false)' });
      return z.NEVER;
    }),
  /** Open connections (HTTP and WebSocket) from one client address, an IPv6 /64 counting as one; 0 = no cap. */
  CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS: z.coerce
    .number({ error: 'CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS must be a number' })
    .int('CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS must be a whole number')
    .min(0, 'CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS must be 0 (no cap) or more')
    .max(100_000, 'CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS must be at most 100000')
    .default(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
  /** Serves /metrics on the main port to requests bearing this token (Authorization: Bearer …). */
  CONCLAVE_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').regex(/^\S+$/, 'must not contain white space').optional(),
  /** Or: serves /metrics without a token on this separate port, bound to CONCLAVE_METRICS_HOST. */
  CONCLAVE_METRICS_PORT: port('CONCLAVE_METRICS_PORT').optional(),
  CONCLAVE_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Audit log entries older than this many days are deleted (at start and daily); 0 = keep forever. */
  CONCLAVE_AUDIT_RETENTION_DAYS: z.coerce
    .number({ error: 'CONCLAVE_AUDIT_RETENTION_DAYS must be a number of days' })
    .int('CONCLAVE_AUDIT_RETENTION_DAYS must be a whole number of days')
    .min(0, 'CONCLAVE_AUDIT_RETENTION_DAYS must be 0 (keep forever) or more')
    .max(36500, 'CONCLAVE_AUDIT_RETENTION_DAYS must be at most 36500 (100 years); 0 keeps entries forever')
    .default(365),
  /**
   * Unset: SQLite, a file in CONCLAVE_DATA_DIR. postgres://user:password@host:port/database (or postgresql://, with
   * libpq's query options such as ?sslmode=require): PostgreSQL, which several Conclave nodes can share.
   */
  CONCLAVE_DATABASE_URL: z
    .string()
    .superRefine((v, ctx) => {
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a postgres:// URL (postgres://user:password@host:5432/database)' });
        return;
      }
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        ctx.addIssue({
          code: 'custom',
          message: `must be a postgres:// or postgresql:// URL, not ${url.protocol}// (unset it for SQLite)`,
        });
      } else if (!url.hostname && !url.searchParams.get('host')) {
        ctx.addIssue({ code: 'custom', message: 'names no host (postgres://user:password@host:5432/database)' });
      }
    })
    .optional(),
  /** PostgreSQL connections this process keeps at most. */
  CONCLAVE_DATABASE_POOL: z.coerce
    .number({ error: 'CONCLAVE_DATABASE_POOL must be a number of connections' })
    .int('CONCLAVE_DATABASE_POOL must be a whole number')
    .min(1, 'CONCLAVE_DATABASE_POOL must be at least 1')
    .max(100, 'CONCLAVE_DATABASE_POOL must be at most 100')
    .default(10),
  /**
   * Set: cluster mode. Several nodes behind one domain share this Redis (tickets, rejoin passes, password
   * throttles, node heartbeats, which node serves which meeting) and one PostgreSQL (CONCLAVE_DATABASE_URL).
   */
  CONCLAVE_REDIS_URL: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined) return;
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a redis:// or rediss:// URL (redis://user:password@host:6379)' });
        return;
      }
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
        ctx.addIssue({ code: 'custom', message: 'must be a redis:// or rediss:// URL (redis://user:password@host:6379)' });
      else if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'names no host (redis://host:6379)' });
    }),
  /** This node's name in the cluster: unique and stable across restarts (default: host name and port). */
  CONCLAVE_NODE_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1 to 40 lower-case letters, digits or dashes (starting with a letter or digit)')
    .optional(),
  /** Where the other nodes reach this one's HTTP port (they pass it WebSockets that landed on them). */
  CONCLAVE_NODE_INTERNAL_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL (e.g. http://10.0.0.2:3000)' })
    .optional(),
  /** Shared by every node: signs what one node tells another about a client it passes on. */
  CONCLAVE_CLUSTER_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (make one with: openssl rand -hex 32)')
    .regex(/^\S+$/, 'must not contain white space')
    .optional(),
});

/** Every environment variable the server reads. */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as Array<keyof typeof envSchema.shape>;

export interface TurnConfig {
  /** turn: / turns: URLs handed to browsers as one ICE server. */
  urls: string[];
  /** Shared with coturn's static-auth-secret. Never logged. */
  secret: string;
  /** How long a credential minted at join stays valid, in seconds. */
  ttlSeconds: number;
  /** Credentials one address may be given per minute (joins and ICE restarts together). */
  credentialsPerMinute: number;
}

/** HTTPS served by the app itself: from given files, or a self-signed certificate kept in the data directory. */
export type TlsConfig = { kind: 'files'; certFile: string; keyFile: string } | { kind: 'self-signed' };

export interface Config {
  port: number;
  host: string;
  publicIp: string;
  rtcListenIp: string;
  rtcPort: number;
  workers: number;
  /** UDP ports of the media pipes between workers (CONCLAVE_PIPE_PORT_MIN/MAX); null: any free port. */
  pipePorts: { min: number; max: number } | null;
  /** How a room's peers are spread over the workers (see media/placement.ts). */
  workerSpread: 'fill' | 'even';
  /** Percent of one core before a room spills onto another worker. */
  workerCpuSoftLimit: number;
  dataDir: string;
  webDir: string;
  logLevel: z.infer<typeof envSchema>['CONCLAVE_LOG_LEVEL'];
  allowedOrigins: string[];
  workerBin: string | undefined;
  /** TURN for browsers; null = none (ICE servers are empty). */
  turn: TurnConfig | null;
  iceTransportPolicy: 'all' | 'relay';
  /** null = plain HTTP (behind a TLS proxy, or for localhost). With TLS, cookies must be Secure. */
  tls: TlsConfig | null;
  adminPassword: string | undefined;
  sessionTtlMs: number;
  allowAnonymousRooms: boolean;
  /** Proxy hops whose X-Forwarded-* headers are trusted (0 = none). */
  trustProxyHops: number;
  /** Open connections per client address (0 = no cap). */
  maxConnectionsPerAddress: number;
  metrics: { token: string | undefined; port: number | undefined; host: string };
  /** Days the audit log keeps an entry; 0 = forever. */
  auditRetentionDays: number;
  /** url null = SQLite in dataDir; else PostgreSQL with at most `pool` connections. */
  database: { url: string | null; pool: number };
  /** Cluster mode (CONCLAVE_REDIS_URL set); null: a single node. */
  cluster: ClusterConfig | null;
}

export interface ClusterConfig {
  redisUrl: string;
  nodeId: string;
  /** Where other nodes reach this one. */
  internalUrl: string;
  /** Never logged. */
  secret: string;
}

/** A node id from the host name and port: lower-case, dashes for anything else, at most 40 characters. */
export function defaultNodeId(hostname: string, port: number): string {
  const host =
    hostname
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'node';
  const suffix = `-${port}`;
  return host.slice(0, 40 - suffix.length).replace(/-+$/, '') + suffix;
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

/** `env` checked against `schema`; a ConfigError with one line per bad variable. */
function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(defined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return `${name}=${shown(name, defined[name])}: ${issue.message.replace(`${name} `, '')}`;
    });
    throw new ConfigError(problems);
  }
  return parsed.data;
}

/** Only the database variables (for commands that need nothing else, such as migrate-sqlite-to-postgres). */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): Config['database'] {
  const e = parseEnv(envSchema.pick({ CONCLAVE_DATABASE_URL: true, CONCLAVE_DATABASE_POOL: true }), env);
  return { url: e.CONCLAVE_DATABASE_URL ?? null, pool: e.CONCLAVE_DATABASE_POOL };
}

/** Validates `env`; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(envSchema, env);
  const problems: string[] = [];
  if (e.CONCLAVE_RTC_PORT + e.CONCLAVE_WORKERS - 1 > 65535) {
    problems.push(`CONCLAVE_RTC_PORT=${e.CONCLAVE_RTC_PORT}: with ${e.CONCLAVE_WORKERS} workers the ports would run past 65535`);
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
  const turnUrls = commaList(e.CONCLAVE_TURN_URLS);
  if (turnUrls.length && !e.CONCLAVE_TURN_SECRET) {
    problems.push('CONCLAVE_TURN_URLS is set but CONCLAVE_TURN_SECRET is not: set it to the static-auth-secret of the TURN server');
  }
  if (!turnUrls.length && e.CONCLAVE_TURN_SECRET) {
    problems.push('CONCLAVE_TURN_SECRET is set but CONCLAVE_TURN_URLS is empty: name the TURN server(s) too');
  }
  if (e.CONCLAVE_ICE_TRANSPORT_POLICY === 'relay' && !turnUrls.length) {
    problems.push('CONCLAVE_ICE_TRANSPORT_POLICY="relay": needs a TURN server (set CONCLAVE_TURN_URLS and CONCLAVE_TURN_SECRET)');
  }
  if (Boolean(e.CONCLAVE_TLS_CERT) !== Boolean(e.CONCLAVE_TLS_KEY)) {
    problems.push(
      `${e.CONCLAVE_TLS_CERT ? 'CONCLAVE_TLS_CERT' : 'CONCLAVE_TLS_KEY'} is set without ${e.CONCLAVE_TLS_CERT ? 'CONCLAVE_TLS_KEY' : 'CONCLAVE_TLS_CERT'}: give both the certificate and its key`,
    );
  }
  for (const name of ['CONCLAVE_TLS_CERT', 'CONCLAVE_TLS_KEY'] as const) {
    const file = e[name];
    if (!file) continue;
    try {
      accessSync(file, constants.R_OK);
    } catch {
      problems.push(`${name}=${JSON.stringify(file)}: not a readable file`);
    }
  }
  if (e.CONCLAVE_TLS_SELF_SIGNED && (e.CONCLAVE_TLS_CERT || e.CONCLAVE_TLS_KEY)) {
    problems.push('CONCLAVE_TLS_SELF_SIGNED is on but CONCLAVE_TLS_CERT/CONCLAVE_TLS_KEY are set too: choose one');
  }
  if (e.CONCLAVE_REDIS_URL) {
    if (!e.CONCLAVE_DATABASE_URL) {
      problems.push('CONCLAVE_REDIS_URL is set (cluster mode) but CONCLAVE_DATABASE_URL is not: the nodes need one PostgreSQL to share');
    }
    if (!e.CONCLAVE_NODE_INTERNAL_URL) {
      problems.push(
        'CONCLAVE_REDIS_URL is set (cluster mode) but CONCLAVE_NODE_INTERNAL_URL is not: say where the other nodes reach this one (http://10.0.0.2:3000)',
      );
    }
    if (!e.CONCLAVE_CLUSTER_SECRET) {
      problems.push(
        'CONCLAVE_REDIS_URL is set (cluster mode) but CONCLAVE_CLUSTER_SECRET is not: give every node the same secret (openssl rand -hex 32)',
      );
    }
  } else {
    for (const name of ['CONCLAVE_NODE_ID', 'CONCLAVE_NODE_INTERNAL_URL', 'CONCLAVE_CLUSTER_SECRET'] as const) {
      if (e[name]) problems.push(`${name} is set but CONCLAVE_REDIS_URL is not: it only means something in cluster mode`);
    }
  }
  const pipeMin = e.CONCLAVE_PIPE_PORT_MIN;
  const pipeMax = e.CONCLAVE_PIPE_PORT_MAX;
  if ((pipeMin === undefined) !== (pipeMax === undefined)) {
    problems.push(
      `${pipeMin === undefined ? 'CONCLAVE_PIPE_PORT_MAX' : 'CONCLAVE_PIPE_PORT_MIN'} is set without ${pipeMin === undefined ? 'CONCLAVE_PIPE_PORT_MIN' : 'CONCLAVE_PIPE_PORT_MAX'}: give both ends of the range`,
    );
  } else if (pipeMin !== undefined && pipeMax !== undefined) {
    if (pipeMin > pipeMax) problems.push(`CONCLAVE_PIPE_PORT_MIN (${pipeMin}) is above CONCLAVE_PIPE_PORT_MAX (${pipeMax})`);
    const rtcLast = e.CONCLAVE_RTC_PORT + e.CONCLAVE_WORKERS - 1;
    if (pipeMin <= rtcLast && e.CONCLAVE_RTC_PORT <= pipeMax) {
      problems.push(
        `CONCLAVE_PIPE_PORT_MIN–MAX (${pipeMin}–${pipeMax}) overlaps the media ports CONCLAVE_RTC_PORT uses (${e.CONCLAVE_RTC_PORT}–${rtcLast}, one per worker)`,
      );
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    publicIp: e.CONCLAVE_PUBLIC_IP,
    rtcListenIp: e.CONCLAVE_RTC_LISTEN_IP,
    rtcPort: e.CONCLAVE_RTC_PORT,
    workers: e.CONCLAVE_WORKERS,
    pipePorts: pipeMin !== undefined && pipeMax !== undefined ? { min: pipeMin, max: pipeMax } : null,
    workerSpread: e.CONCLAVE_WORKER_SPREAD,
    workerCpuSoftLimit: e.CONCLAVE_WORKER_CPU_SOFT_LIMIT,
    dataDir: path.resolve(e.CONCLAVE_DATA_DIR),
    webDir: path.resolve(e.CONCLAVE_WEB_DIR),
    logLevel: e.CONCLAVE_LOG_LEVEL,
    allowedOrigins: e.CONCLAVE_ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    workerBin: e.MEDIASOUP_WORKER_BIN,
    turn:
      turnUrls.length && e.CONCLAVE_TURN_SECRET
        ? {
            urls: turnUrls,
            secret: e.CONCLAVE_TURN_SECRET,
            ttlSeconds: e.CONCLAVE_TURN_TTL,
            credentialsPerMinute: e.CONCLAVE_TURN_CREDENTIALS_PER_MINUTE,
          }
        : null,
    iceTransportPolicy: e.CONCLAVE_ICE_TRANSPORT_POLICY,
    tls:
      e.CONCLAVE_TLS_CERT && e.CONCLAVE_TLS_KEY
        ? { kind: 'files', certFile: path.resolve(e.CONCLAVE_TLS_CERT), keyFile: path.resolve(e.CONCLAVE_TLS_KEY) }
        : e.CONCLAVE_TLS_SELF_SIGNED
          ? { kind: 'self-signed' }
          : null,
    adminPassword: e.CONCLAVE_ADMIN_PASSWORD,
    sessionTtlMs: e.CONCLAVE_SESSION_HOURS * 3600_000,
    allowAnonymousRooms: e.CONCLAVE_ALLOW_ANONYMOUS_ROOMS,
    trustProxyHops: e.CONCLAVE_TRUST_PROXY,
    maxConnectionsPerAddress: e.CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS,
    metrics: { token: e.CONCLAVE_METRICS_TOKEN, port: e.CONCLAVE_METRICS_PORT, host: e.CONCLAVE_METRICS_HOST },
    auditRetentionDays: e.CONCLAVE_AUDIT_RETENTION_DAYS,
    database: { url: e.CONCLAVE_DATABASE_URL ?? null, pool: e.CONCLAVE_DATABASE_POOL },
    cluster:
      e.CONCLAVE_REDIS_URL && e.CONCLAVE_NODE_INTERNAL_URL && e.CONCLAVE_CLUSTER_SECRET
        ? {
            redisUrl: e.CONCLAVE_REDIS_URL,
            nodeId: e.CONCLAVE_NODE_ID ?? defaultNodeId(os.hostname(), e.PORT),
            internalUrl: e.CONCLAVE_NODE_INTERNAL_URL,
            secret: e.CONCLAVE_CLUSTER_SECRET,
          }
        : null,
  };
}
