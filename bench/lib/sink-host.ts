/**
 * Sinks in a child process of their own, so that reading tens of thousands
 * of datagrams a second neither delays the generator's timer nor is delayed
 * by it, and so that their CPU is accounted apart (its pid). The bench runs
 * two: one for the counting sinks (most of the traffic) and one for the few
 * probes (little traffic, so their delay figures carry little of the
 * measurement's own queueing).
 *
 * The parent drives it over IPC (structured clone): open sinks, reset the
 * window, collect.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CountingSink, ProbeSink, type SinkCounts, type StreamTally } from './rtp-sink.js';

export interface SinkSpec {
  key: string;
  probe: boolean;
}

export interface ProbeReport {
  tallies: StreamTally[];
  other: number;
  early: number;
}

export interface SinkReport {
  counts: Record<string, SinkCounts>;
  probes: Record<string, ProbeReport>;
}

type Body =
  { op: 'open'; sinks: SinkSpec[] } | { op: 'hold'; count: number } | { op: 'reset'; fromNs: bigint } | { op: 'collect' } | { op: 'close' };
type Request = Body & { id: number };
type Response = { id: number; result?: unknown; error?: string };

export class SinkHost {
  private next = 1;
  private held = false;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Response) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.result);
    });
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`sink host exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /** Forks this module as a sink host (with the parent's execArgv, so tsx's loader comes along). */
  static async start(): Promise<SinkHost> {
    const child = fork(fileURLToPath(import.meta.url), ['--sink-host'], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const host = new SinkHost(child);
    await host.call({ op: 'reset', fromNs: 0n });
    return host;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Opens the sinks; their ports by key. */
  open(sinks: SinkSpec[]): Promise<Record<string, number>> {
    return this.call({ op: 'open', sinks }) as Promise<Record<string, number>>;
  }

  /**
   * Opens `count` sinks that are never read: the host stops running its event
   * loop once it has answered, so every datagram that reaches them is dropped
   * by the kernel and counted there (rtp-sink.ts kernelDrops), at no CPU
   * cost to this machine beyond the delivery the sender pays anyway. After
   * this the host answers nothing more; close() kills it.
   */
  async hold(count: number): Promise<number[]> {
    const ports = (await this.call({ op: 'hold', count })) as number[];
    this.held = true;
    return ports;
  }

  /** Zeroes every count; probes count only packets sent from `fromNs` (process.hrtime.bigint()) on. */
  async reset(fromNs: bigint): Promise<void> {
    await this.call({ op: 'reset', fromNs });
  }

  collect(): Promise<SinkReport> {
    return this.call({ op: 'collect' }) as Promise<SinkReport>;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    if (!this.held) await this.call({ op: 'close' }).catch(() => undefined);
    this.child.kill();
  }

  private call(body: Body): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: Request = { ...body, id };
      this.child.send(request);
    });
  }
}

/** Never returns to the event loop (so nothing reads the sockets), until the parent is gone. */
function holdForever(): never {
  const parent = process.ppid;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    Atomics.wait(cell, 0, 0, 1000);
    if (process.ppid !== parent) process.exit(0);
  }
}

/** The child's side. */
function serve(): void {
  const counting = new Map<string, CountingSink>();
  const probes = new Map<string, ProbeSink>();
  let fromNs = 0n;
  const handle = async (m: Request): Promise<unknown> => {
    switch (m.op) {
      case 'open': {
        const ports: Record<string, number> = {};
        for (const s of m.sinks) {
          const sink = s.probe ? new ProbeSink() : new CountingSink();
          if (s.probe) {
            (sink as ProbeSink).reset(fromNs);
            probes.set(s.key, sink as ProbeSink);
          } else counting.set(s.key, sink as CountingSink);
          ports[s.key] = await sink.open();
        }
        return ports;
      }
      case 'hold': {
        const ports: number[] = [];
        for (let i = 0; i < m.count; i++) {
          const sink = new CountingSink();
          counting.set(`held${i}`, sink);
          ports.push(await sink.open(1));
        }
        return ports;
      }
      case 'reset':
        fromNs = m.fromNs;
        for (const s of counting.values()) s.reset();
        for (const s of probes.values()) s.reset(fromNs);
        return null;
      case 'collect': {
        const report: SinkReport = { counts: {}, probes: {} };
        for (const [key, s] of counting) report.counts[key] = s.counts;
        for (const [key, s] of probes) {
          report.counts[key] = s.counts;
          report.probes[key] = { tallies: s.tally.tallies(), other: s.tally.other, early: s.tally.early };
        }
        return report;
      }
      case 'close':
        for (const s of [...counting.values(), ...probes.values()]) s.close();
        counting.clear();
        probes.clear();
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  process.on('message', (m: Request) => {
    handle(m).then(
      (result) => process.send!({ id: m.id, result }, undefined, {}, () => (m.op === 'hold' ? holdForever() : undefined)),
      (err: unknown) => process.send!({ id: m.id, error: String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes('--sink-host') && process.send) serve();
