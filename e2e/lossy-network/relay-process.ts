/**
 * The ImpairingRelay in a process of its own, so that its timers are not held
 * up by the runner's work (Playwright calls, screenshots, JSON): a late timer
 * would add delay spikes that netem does not have. Driven over the IPC
 * channel of child_process.fork: startRelayProcess() in the parent gives an
 * object with the relay's methods; run as the child, it serves them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { ImpairingRelay, type Impairment, type RelayCounters } from './impairing-relay.js';

interface RelayOptions {
  listen: { address: string; port: number };
  upstream: { address: string; port: number };
  seed: number;
}

type Request = { id: number; op: 'impair'; ports: number[]; impairment: Impairment | null } | { id: number; op: 'snapshot' };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Reply =
  { id: number; ok: true; counters?: RelayCounters } | { id: number; ok: false; error: string } | { ready: true } | { failed: string };

export interface RelayHandle {
  impair(ports: number[], impairment: Impairment | null): Promise<void>;
  snapshot(): Promise<RelayCounters>;
  close(): Promise<void>;
}

/** Forks the relay process (in this network namespace) and resolves once it listens. */
export async function startRelayProcess(options: RelayOptions): Promise<RelayHandle> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`the relay process exited while starting (${code ?? signal})`)));
    child.on('message', (m: Reply) => {
      if ('ready' in m) resolve();
      else if ('failed' in m) reject(new Error(`the relay did not start: ${m.failed}`));
      else waiting.get(m.id)?.resolve(m);
    });
  });
  child.on('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`the relay process exited (${code ?? signal})`));
    waiting.clear();
  });
  const call = (req: WithoutId<Request>): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, {
        resolve: (r) => {
          waiting.delete(id);
          resolve(r);
        },
        reject,
      });
      child.send({ ...req, id });
    });
  const ok = (r: Reply) => {
    if ('ok' in r && !r.ok) throw new Error(`relay: ${r.error}`);
    return r as Extract<Reply, { ok: true }>;
  };
  return {
    impair: async (ports, impairment) => void ok(await call({ op: 'impair', ports, impairment })),
    snapshot: async () => ok(await call({ op: 'snapshot' })).counters!,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

async function serve(): Promise<void> {
  const send = (m: Reply) => process.send!(m);
  // A network is not starved by other work on the machine: run ahead of it where allowed (it uses little CPU).
  try {
    os.setPriority(-10);
  } catch {
    // not allowed: the late-packet count will show what that cost
  }
  let relay: ImpairingRelay;
  try {
    relay = new ImpairingRelay(JSON.parse(process.argv[2] ?? '') as RelayOptions);
    await relay.start();
  } catch (err) {
    send({ failed: (err as Error).message });
    process.exit(1);
  }
  process.on('message', (req: Request) => {
    try {
      if (req.op === 'impair') {
        relay.impair(req.ports, req.impairment);
        send({ id: req.id, ok: true });
      } else send({ id: req.id, ok: true, counters: relay.snapshot() });
    } catch (err) {
      send({ id: req.id, ok: false, error: (err as Error).message });
    }
  });
  const stop = () => {
    relay.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop); // the runner went away
  send({ ready: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) void serve();
