/**
 * Samples each mediasoup worker every few seconds — CPU (from the worker's
 * own resource usage), resident memory (from /proc), and how many routers,
 * transports, producers and consumers it carries — and keeps the last ten
 * minutes for the admin page's chart and the metrics endpoint.
 */
import { readFileSync } from 'node:fs';
import type { HealthSample, WorkerHealth } from '@conclave/protocol';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { WorkerPool } from './worker-pool.js';

const PAGE_KB = 4;

interface Counts {
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
}

function rssMb(pid: number): number {
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return (Number(statm[1]) * PAGE_KB) / 1024;
  } catch {
    return 0;
  }
}

export class WorkerHealthMonitor {
  private readonly samples: HealthSample[] = [];
  private readonly lastCpu = new Map<number, { at: number; cpuMs: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: WorkerPool,
    private readonly registry: RoomRegistry,
    private readonly o: {
      /** What a worker carries for meetings homed on other nodes (cluster/media-agent.ts). */
      elsewhere?: (slotIndex: number) => Counts | null;
      intervalMs?: number;
      keep?: number;
    } = {},
  ) {
    this.intervalMs = o.intervalMs ?? 5000;
    this.keep = o.keep ?? 120;
  }

  private readonly intervalMs: number;
  private readonly keep: number;

  start(): void {
    if (this.timer) return;
    const tick = async () => {
      this.samples.push(await this.sampleNow());
      while (this.samples.length > this.keep) this.samples.shift();
    };
    void tick();
    this.timer = setInterval(() => void tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  history(): HealthSample[] {
    return [...this.samples];
  }

  latest(): HealthSample | undefined {
    return this.samples.at(-1);
  }

  async sampleNow(): Promise<HealthSample> {
    const workers: WorkerHealth[] = [];
    for (const slot of this.pool.slots) {
      const w = slot.worker;
      let routers = 0;
      let transports = 0;
      let producers = 0;
      let consumers = 0;
      for (const room of this.registry.all()) {
        if (room.media.routerOn(slot.index)) routers += 1;
        for (const peer of room.peers.values()) {
          if (peer.home?.slot !== slot) continue;
          transports += peer.transports.size;
          producers += peer.producers.size;
          consumers += peer.consumers.size;
        }
      }
      const elsewhere = this.o.elsewhere?.(slot.index);
      if (elsewhere) {
        routers += elsewhere.routers;
        transports += elsewhere.transports;
        producers += elsewhere.producers;
        consumers += elsewhere.consumers;
      }
      let cpuPercent = 0;
      if (w && !w.died && !w.closed) {
        const usage = await w.getResourceUsage().catch(() => null);
        if (usage) {
          const now = performance.now();
          const cpuMs = usage.ru_utime + usage.ru_stime;
          const prev = this.lastCpu.get(slot.index);
          if (prev && now > prev.at) cpuPercent = Math.max(0, ((cpuMs - prev.cpuMs) / (now - prev.at)) * 100);
          this.lastCpu.set(slot.index, { at: now, cpuMs });
        }
      }
      workers.push({
        slot: slot.index,
        pid: w?.pid ?? null,
        alive: !!w && !w.died,
        cpuPercent: Math.round(cpuPercent * 10) / 10,
        memoryMb: w ? Math.round(rssMb(w.pid) * 10) / 10 : 0,
        routers,
        transports,
        producers,
        consumers,
      });
    }
    return { at: new Date().toISOString(), workers };
  }
}
