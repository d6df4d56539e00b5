/**
 * A Conclave server a test starts itself (not Playwright's webServer), so
 * that it can crash it (or stop it as docker does, with SIGTERM to the main
 * process), kill one of its media workers, and start it again on the same
 * ports and data directory, like a supervisor would.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface OwnServerOptions {
  port: number;
  rtcPort: number;
  /** Extra environment (CONCLAVE_PUBLIC_IP, …). */
  env?: Record<string, string>;
  /** Where its output goes (appended across restarts). */
  logFile: string;
}

/** Whether any process of the process group `pgid` is still running (zombies, which nobody may reap here, do not count). */
function groupAlive(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces, so read after its closing parenthesis.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

export class OwnServer {
  readonly dataDir = mkdtempSync(path.join(os.tmpdir(), 'conclave-own-'));
  readonly adminPassword = 'restart-test-admin-pw';
  private child: ChildProcess | null = null;
  private readonly log: WriteStream;

  constructor(private readonly options: OwnServerOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get baseUrl(): string {
    return `http://localhost:${this.options.port}`;
  }

  /** Starts the server (its own process group, with its media workers) and resolves once /healthz says ok. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) throw new Error('OwnServer.start: already running');
    const workerBin = process.env.MEDIASOUP_WORKER_BIN;
    if (!workerBin) throw new Error('MEDIASOUP_WORKER_BIN is not set (playwright.config.ts sets it)');
    const child = spawn(process.execPath, ['apps/server/dist/main.js'], {
      detached: true, // its own process group: kill() takes the media workers down with it
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        PORT: String(this.options.port),
        HOST: '127.0.0.1',
        CONCLAVE_RTC_PORT: String(this.options.rtcPort),
        CONCLAVE_WORKERS: '1',
        CONCLAVE_DATA_DIR: this.dataDir,
        CONCLAVE_LOG_LEVEL: 'info',
        CONCLAVE_ADMIN_PASSWORD: this.adminPassword,
        MEDIASOUP_WORKER_BIN: workerBin,
        ...this.options.env,
      },
    });
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`the server exited while starting (${code ?? signal}); see ${this.options.logFile}`)),
      ),
    );
    await Promise.race([exited, this.waitHealthy(timeoutMs)]);
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await fetch(`${this.baseUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`the server on port ${this.options.port} was not healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The server's (node's) process id; null when it is not running. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** The process ids of its mediasoup workers (its children named mediasoup-worker). */
  mediaWorkerPids(): number[] {
    const pid = this.pid;
    if (pid === null) throw new Error('OwnServer.mediaWorkerPids: the server is not running');
    let children: string;
    try {
      children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
    } catch {
      return []; // pgrep exits 1 when there are none
    }
    return children
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((child) => {
        try {
          // (Not /proc/…/comm: the kernel cuts names to 15 characters.)
          return path.basename(readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0')[0]!) === 'mediasoup-worker';
        } catch {
          return false; // gone meanwhile
        }
      });
  }

  /**
   * Stops the server as `docker compose restart` does: `signal` to the main
   * process only, then waits for it to exit by itself (SIGKILL to the group
   * after `timeoutMs`). Resolves with how it exited and how long it took.
   */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 10_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) throw new Error('OwnServer.stop: the server is not running');
    const started = Date.now();
    const gone = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    child.kill(signal);
    const stubborn = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    const exit = await gone;
    const ms = Date.now() - started;
    // Its media workers are told to go as it stops; the next server needs their ports.
    // (Bounded: an orphan nobody reaps would look alive for ever.)
    const until = Date.now() + timeoutMs;
    while (groupAlive(child.pid!) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    clearTimeout(stubborn);
    this.child = null;
    return { ...exit, ms };
  }

  /** Kills the whole process group with `signal` (SIGKILL: a crash) and waits for the server to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.child = null;
      return;
    }
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid!, signal);
    const stubborn = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5000);
    await gone;
    clearTimeout(stubborn);
    this.child = null;
  }

  /** Creates a room as the admin (REST); it is stored, so it outlives a restart. */
  async createRoom(name: string, options: { lobby?: boolean; password?: string } = {}): Promise<string> {
    const login = await fetch(`${this.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: this.adminPassword }),
    });
    if (!login.ok) throw new Error(`admin sign-in failed: ${login.status} ${await login.text()}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const res = await fetch(`${this.baseUrl}/api/rooms`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: this.baseUrl },
      body: JSON.stringify({ name, ...options }),
    });
    if (res.status !== 201) throw new Error(`room creation failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  async close(): Promise<void> {
    await this.kill('SIGTERM');
    this.log.end();
  }
}
