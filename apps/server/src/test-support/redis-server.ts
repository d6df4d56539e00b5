/**
 * Runs Debian's redis-server for a test, on 127.0.0.1 and a free port, in a
 * temporary directory of its own, and stops it by pid. Nothing is saved
 * unless the test asks for `persistent` (append-only file, fsync on every
 * write), which is what a restart test needs: `restart()` stops the process
 * (SIGTERM, or SIGKILL for a crash) and starts it again on the same port and
 * directory, so the data survives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RedisServerOptions {
  /** Keep data across `restart()` (appendonly yes, appendfsync always). Default false: `--save '' --appendonly no`. */
  persistent?: boolean;
  /** The redis-server binary; default $REDIS_SERVER_BIN, else redis-server on PATH (Debian: /usr/bin/redis-server). */
  bin?: string;
}

export interface RestartOptions {
  /** SIGTERM (default: Redis shuts down cleanly) or SIGKILL (a crash). */
  signal?: 'SIGTERM' | 'SIGKILL';
  /** How long the server stays down before it starts again. */
  downMs?: number;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** The current process's pid. */
  pid(): number;
  /** What the server printed (for a failing test's message). */
  log(): string;
  restart(options?: RestartOptions): Promise<void>;
  /** Stops it by pid (SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

/** The binary to run, or a clear error when there is none. */
export function redisServerBin(explicit?: string): string {
  const candidates = explicit ? [explicit] : process.env.REDIS_SERVER_BIN ? [process.env.REDIS_SERVER_BIN] : [];
  if (candidates.length === 0) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/usr/local/bin'])) {
      if (dir) candidates.push(path.join(dir, 'redis-server'));
    }
  }
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  throw new Error(
    `redis-server not found (looked for ${candidates.join(', ')}): install Debian's redis-server ` +
      '(scripts/lib/bootstrap.sh test does, without starting the service) or set REDIS_SERVER_BIN',
  );
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  await new Promise((r) => server.close(r));
  return port;
}

/** Resolves once something on `port` answers PING with +PONG; rejects after `timeoutMs`. */
export async function waitForPong(port: number, timeoutMs: number, died?: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = died?.();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      let reply = '';
      const done = (v: boolean) => {
        socket.destroy();
        resolve(v);
      };
      socket.setTimeout(500, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.on('data', (d) => {
        reply += d.toString('latin1');
        if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on 127.0.0.1:${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = redisServerBin(options.bin);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conclave-redis-'));
  let output = '';
  let child: ChildProcess | null = null;
  let port = 0;

  const args = (p: number) => [
    '--port',
    String(p),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--protected-mode',
    'yes',
    ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];

  const launch = async (p: number): Promise<void> => {
    const proc = spawn(bin, args(p), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let exit: string | null = null;
    let spawnError: string | null = null;
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('error', (err) => (spawnError = `redis-server (${bin}) failed to start: ${err.message}`));
    proc.once('exit', (code, signal) => (exit = `redis-server exited (code ${code}, signal ${signal}) before answering PING:\n${output}`));
    try {
      await waitForPong(p, 10_000, () => spawnError ?? exit);
    } catch (err) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited(proc);
      }
      throw err;
    }
  };

  // The free port may be taken between the probe and the start: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && port === 0; attempt++) {
    const p = await freeTcpPort();
    try {
      await launch(p);
      port = p;
    } catch (err) {
      lastError = err;
      if (err instanceof Error && err.message.includes('failed to start')) break;
    }
  }
  if (port === 0) {
    rmSync(dir, { recursive: true, force: true });
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  const kill = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    process.kill(proc.pid!, signal);
    await exited(proc);
    clearTimeout(timer);
  };

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => child?.pid ?? -1,
    log: () => output,
    async restart(o: RestartOptions = {}) {
      await kill(o.signal ?? 'SIGTERM');
      if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
      await launch(port);
    },
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
