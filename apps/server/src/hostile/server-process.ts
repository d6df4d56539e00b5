/**
 * A Conclave server in a process of its own, started from the sources (tsx),
 * for tests that must see whether the process survives what they send: an
 * in-process server would take the test runner down with it. Loopback only,
 * on a free HTTP port and a private media port range; stopped by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const root = path.resolve(serverDir, '../..');

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProcessOptions {
  /** Extra environment (CONCLAVE_…). */
  env?: Record<string, string>;
  /** Where its output goes; default test-results/<name>.log. */
  name?: string;
  dataDir?: string;
}

export class ServerProcess {
  readonly dataDir: string;
  readonly adminPassword = 'hostile-suite-admin-pw';
  port = 0;
  rtcPort = 0;
  /** How many times the process ended without being asked to. */
  unexpectedExits = 0;
  private child: ChildProcess | null = null;
  private stopping = false;
  private readonly logFile: string;

  constructor(private readonly options: ServerProcessOptions = {}) {
    this.dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'conclave-hostile-'));
    this.logFile = path.join(root, 'test-results', `${options.name ?? 'hostile-server'}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and resolves once /healthz answers 200. Reuses its ports and data on a restart. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error('ServerProcess.start: already running');
    this.port ||= await freePort();
    // A private media port range per process (one worker, one port).
    this.rtcPort ||= 26000 + ((process.pid * 7 + this.port) % 400) * 10;
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(serverDir, 'src/main.ts')], {
      cwd: root,
      detached: true, // its own process group: stopping it takes its media workers along
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        PORT: String(this.port),
        HOST: '127.0.0.1',
        CONCLAVE_RTC_PORT: String(this.rtcPort),
        CONCLAVE_WORKERS: '1',
        CONCLAVE_DATA_DIR: this.dataDir,
        CONCLAVE_LOG_LEVEL: 'info',
        CONCLAVE_ADMIN_PASSWORD: this.adminPassword,
        MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN ?? '',
        ...this.options.env,
      },
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.stopping = false;
    this.child = child;
    child.once('exit', () => {
      if (!this.stopping) this.unexpectedExits += 1;
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`the server exited while starting (${code ?? signal}); see ${this.logFile}`))),
    );
    await Promise.race([exited, this.waitHealthy(timeoutMs)]);
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await fetch(`${this.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`the server on port ${this.port} was not healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends `signal` to the process group and waits until the process is gone (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.stopping = true;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* already gone */
      }
    };
    kill(signal);
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
    this.child = null;
  }

  /** A session cookie for the admin, for REST calls that need one. */
  async adminCookie(): Promise<string> {
    const res = await fetch(`${this.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: this.adminPassword }),
    });
    if (!res.ok) throw new Error(`admin sign-in refused: ${res.status}`);
    return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  }
}
