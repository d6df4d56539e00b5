/**
 * Two Conclave nodes in cluster mode behind Caddy, on loopback, for a browser
 * test: Redis and PostgreSQL started for it (the server's test-support), two
 * built servers (OwnServer, each its own process group, one media worker,
 * its own RTC port and pipe port range), and Debian's Caddy in front,
 * configured as docs/multi-node.md documents it (each WebSocket straight to
 * the node its ticket names, everything else round robin, a dead node
 * skipped). Everything is
 * stopped by pid in stop(), whatever managed to start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import type { HealthReport } from '../../packages/protocol/src/rest.js';
import { connectRedis, keys } from '../../apps/server/src/cluster/redis.js';
import { startPostgres } from '../../apps/server/src/test-support/postgres-server.js';
import { freeTcpPort, startRedisServer } from '../../apps/server/src/test-support/redis-server.js';
import { OwnServer } from '../reconnection/own-server.js';

const CLUSTER_SECRET = 'cluster-caddy-e2e-secret-0123456789abcdef';
/** Media pipe ports per node (UDP), after the nodes' RTC ports. */
const PIPE_PORTS = 40;

export interface ClusterNode {
  id: string;
  port: number;
  /** Its one worker's WebRtcServer port: what a browser's ICE candidate pair points at. */
  rtcPort: number;
  server: OwnServer;
  /** Reached directly, not through Caddy. */
  url: string;
}

/** What a node's media workers carry right now (summed over its workers). */
export interface MediaLoad {
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `port` can be bound on all addresses now, over TCP and over UDP (a WebRtcServer takes both). */
async function portFree(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

/** The first port of `size` consecutive ports free right now, below Linux's ephemeral range. */
async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 23_000 + Math.floor(Math.random() * 60) * 100;
    let free = true;
    for (let p = base; p < base + size && free; p++) free = await portFree(p);
    if (free) return base;
  }
  throw new Error(`no ${size} consecutive free ports found`);
}

/** Signs in as the admin at `baseUrl` (a node or Caddy); returns the session cookie. */
export async function signIn(baseUrl: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (!res.ok) throw new Error(`admin sign-in at ${baseUrl} failed: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** Creates a room as the admin through `baseUrl`; returns its id. */
export async function createRoom(baseUrl: string, cookie: string, name: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: baseUrl },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`room creation at ${baseUrl} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export class Cluster {
  readonly nodes: ClusterNode[] = [];
  caddyPort = 0;
  private redisUrl = '';
  private readonly stoppers: Array<() => Promise<void>> = [];

  private constructor(private readonly logDir: string) {}

  /** Starts Redis, PostgreSQL, node-a, node-b and Caddy; on a failure stops what had started, then throws. */
  static async start(logDir: string): Promise<Cluster> {
    mkdirSync(logDir, { recursive: true });
    const cluster = new Cluster(logDir);
    try {
      await cluster.startAll();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Where the browsers go: Caddy, on localhost (a secure context, so the camera works). */
  get caddyUrl(): string {
    return `http://localhost:${this.caddyPort}`;
  }

  get adminPassword(): string {
    return this.nodes[0]!.server.adminPassword;
  }

  private async startAll(): Promise<void> {
    const redis = await startRedisServer();
    this.stoppers.push(() => redis.stop());
    this.redisUrl = redis.url;
    const pg = await startPostgres();
    this.stoppers.push(() => pg.stop());
    const databaseUrl = await pg.createDatabase();

    this.caddyPort = await freeTcpPort();
    const base = await freePortBlock(2 + 2 * PIPE_PORTS);
    for (const [i, id] of ['node-a', 'node-b'].entries()) {
      const port = await freeTcpPort();
      const rtcPort = base + i;
      const pipeMin = base + 2 + i * PIPE_PORTS;
      const logFile = path.join(this.logDir, `${id}.log`);
      writeFileSync(logFile, ''); // this run's only (OwnServer appends)
      const server = new OwnServer({
        port,
        rtcPort,
        logFile,
        env: {
          CONCLAVE_REDIS_URL: redis.url,
          CONCLAVE_DATABASE_URL: databaseUrl,
          CONCLAVE_NODE_ID: id,
          CONCLAVE_NODE_INTERNAL_URL: `http://127.0.0.1:${port}`,
          CONCLAVE_CLUSTER_SECRET: CLUSTER_SECRET,
          CONCLAVE_WORKERS: '1',
          CONCLAVE_WORKER_SPREAD: 'even',
          CONCLAVE_TRUST_PROXY: '1',
          CONCLAVE_PIPE_PORT_MIN: String(pipeMin),
          CONCLAVE_PIPE_PORT_MAX: String(pipeMin + PIPE_PORTS - 1),
        },
      });
      this.stoppers.push(() => server.close());
      // One after the other: the first makes the schema and the admin, the second finds them.
      await server.start(60_000);
      this.nodes.push({ id, port, rtcPort, server, url: `http://127.0.0.1:${port}` });
    }

    const dir = mkdtempSync(path.join(os.tmpdir(), 'conclave-caddy-'));
    this.stoppers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const caddyfile = path.join(dir, 'Caddyfile');
    // As docs/multi-node.md shows it (sockets straight to the meeting's node, the rest round robin, a dead node
    // skipped), on plain HTTP on loopback, and without the admin endpoint.
    const upstreams = this.nodes.map((n) => `127.0.0.1:${n.port}`).join(' ');
    writeFileSync(
      caddyfile,
      [
        '{',
        '\tadmin off',
        '}',
        '',
        `http://localhost:${this.caddyPort} {`,
        '\tbind 127.0.0.1 [::1]',
        ...this.nodes.flatMap((n) => [
          `\t@${n.id} query node=${n.id}`,
          `\thandle @${n.id} {`,
          `\t\treverse_proxy 127.0.0.1:${n.port}`,
          '\t}',
        ]),
        '\thandle {',
        `\t\treverse_proxy ${upstreams} {`,
        '\t\t\tlb_policy round_robin',
        '\t\t\tlb_try_duration 5s',
        '\t\t\tfail_duration 30s',
        '\t\t\thealth_uri /healthz',
        '\t\t\thealth_interval 2s',
        '\t\t}',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
    const log = createWriteStream(path.join(this.logDir, 'caddy.log'), { flags: 'a' });
    const caddy: ChildProcess = spawn('/usr/bin/caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its data and config directories in the temp directory, not in $HOME.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    });
    caddy.stdout!.pipe(log);
    caddy.stderr!.pipe(log);
    let exit: string | null = null;
    caddy.once('exit', (code, signal) => (exit = `caddy exited (${code ?? signal}); see ${this.logDir}/caddy.log`));
    this.stoppers.push(async () => {
      if (caddy.exitCode === null && caddy.signalCode === null) {
        const gone = new Promise((r) => caddy.once('exit', r));
        process.kill(caddy.pid!, 'SIGTERM');
        await gone;
      }
    });
    const deadline = Date.now() + 20_000;
    while (
      !(await fetch(`${this.caddyUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (exit) throw new Error(exit);
      if (Date.now() > deadline) throw new Error(`caddy did not answer ${this.caddyUrl}/healthz within 20 s`);
      await wait(100);
    }
  }

  /** The node holding the meeting's lease (Redis `cv:{roomId}:owner`, `node|epoch`), or null when it has no home. */
  async homeOf(roomId: string): Promise<ClusterNode | null> {
    const client = await connectRedis({ url: this.redisUrl, name: 'e2e' });
    try {
      const owner = await client.get(keys.roomOwner(roomId));
      if (owner === null) return null;
      const id = String(owner).split('|')[0];
      const node = this.nodes.find((n) => n.id === id);
      if (!node) throw new Error(`the meeting's home is ${String(owner)}, not one of ${this.nodes.map((n) => n.id).join(', ')}`);
      return node;
    } finally {
      client.destroy();
    }
  }

  /** The node's own media workers' load, from its GET /api/health (asked directly, as the admin). */
  async mediaLoad(node: ClusterNode): Promise<MediaLoad> {
    const cookie = await signIn(node.url, this.adminPassword);
    const res = await fetch(`${node.url}/api/health`, { headers: { Cookie: cookie } });
    if (!res.ok) throw new Error(`GET /api/health on ${node.id} failed: ${res.status} ${await res.text()}`);
    const report = (await res.json()) as HealthReport;
    const load: MediaLoad = { routers: 0, transports: 0, producers: 0, consumers: 0 };
    for (const w of report.now.workers) {
      load.routers += w.routers;
      load.transports += w.transports;
      load.producers += w.producers;
      load.consumers += w.consumers;
    }
    return load;
  }

  /** The node whose WebRtcServer listens on `rtcPort`. */
  nodeOfRtcPort(rtcPort: number | null): ClusterNode | undefined {
    return this.nodes.find((n) => n.rtcPort === rtcPort);
  }

  /** What the nodes logged refusing (a WebSocket upgrade, a request): the explanation a failed join needs. */
  refusals(): string[] {
    return this.nodes.flatMap((n) =>
      readFileSync(path.join(this.logDir, `${n.id}.log`), 'utf8')
        .split('\n')
        .filter((line) => /refused/i.test(line))
        .map((line) => `${n.id}: ${line.slice(0, 400)}`),
    );
  }

  /** Stops everything that started, last first, each by pid. */
  async stop(): Promise<void> {
    for (const stop of this.stoppers.splice(0).reverse()) {
      await stop().catch((err: unknown) => console.log(`cluster stop: ${(err as Error).message}`));
    }
  }
}
