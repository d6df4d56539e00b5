/**
 * Prometheus metrics (prom-client): rooms, peers, transports, producers,
 * consumers, worker CPU and memory, signaling messages and errors, login
 * failures. Served on /metrics with a bearer token, or on a separate port.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkerHealthMonitor } from './media/worker-health.js';
import type { RoomRegistry } from './rooms/room-registry.js';

export class Metrics {
  readonly registry = new Registry();
  readonly signalingMessages = new Counter({ name: 'conclave_signaling_messages_total', help: 'Signaling frames received', registers: [this.registry] });
  readonly signalingErrors = new Counter({
    name: 'conclave_signaling_errors_total',
    help: 'Signaling error answers sent, by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly loginFailures = new Counter({ name: 'conclave_login_failures_total', help: 'Failed sign-ins', registers: [this.registry] });

  constructor(rooms: RoomRegistry, health: WorkerHealthMonitor) {
    collectDefaultMetrics({ register: this.registry, prefix: 'conclave_process_' });
    const count = (name: string, help: string, of: (c: { peers: number; transports: number; producers: number; consumers: number }) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const c = { peers: 0, transports: 0, producers: 0, consumers: 0 };
          for (const room of rooms.all()) {
            for (const peer of room.peers.values()) {
              c.peers += 1;
              c.transports += peer.transports.size;
              c.producers += peer.producers.size;
              c.consumers += peer.consumers.size;
            }
          }
          this.set(of(c));
        },
      });
    new Gauge({ name: 'conclave_rooms', help: 'Rooms with a running meeting', registers: [this.registry], collect() { this.set(rooms.size); } });
    count('conclave_peers', 'Participants in meetings', (c) => c.peers);
    count('conclave_transports', 'WebRTC transports', (c) => c.transports);
    count('conclave_producers', 'Media producers', (c) => c.producers);
    count('conclave_consumers', 'Media consumers', (c) => c.consumers);
    new Gauge({
      name: 'conclave_worker_cpu_percent',
      help: 'mediasoup worker CPU, percent of one core',
      labelNames: ['slot'],
      registers: [this.registry],
      collect() {
        for (const w of health.latest()?.workers ?? []) this.set({ slot: String(w.slot) }, w.cpuPercent);
      },
    });
    new Gauge({
      name: 'conclave_worker_memory_bytes',
      help: 'mediasoup worker resident memory',
      labelNames: ['slot'],
      registers: [this.registry],
      collect() {
        for (const w of health.latest()?.workers ?? []) this.set({ slot: String(w.slot) }, w.memoryMb * 1024 * 1024);
      },
    });
  }
}
