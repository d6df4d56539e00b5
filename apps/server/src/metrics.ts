/**
 * Prometheus metrics (prom-client): rooms, peers, transports, producers,
 * consumers, worker CPU and memory, signaling messages and errors, login
 * failures. Served on /metrics with a bearer token, or on a separate port.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectionGuardStats } from './http/connection-guard.js';
import type { WorkerHealthMonitor } from './media/worker-health.js';
import type { RoomRegistry } from './rooms/room-registry.js';

export class Metrics {
  readonly registry = new Registry();
  readonly signalingMessages = new Counter({
    name: 'conclave_signaling_messages_total',
    help: 'Signaling frames received',
    registers: [this.registry],
  });
  readonly signalingErrors = new Counter({
    name: 'conclave_signaling_errors_total',
    help: 'Signaling error answers sent, by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly loginFailures = new Counter({ name: 'conclave_login_failures_total', help: 'Failed sign-ins', registers: [this.registry] });
  readonly upgradesRefused = new Counter({
    name: 'conclave_websocket_upgrades_refused_total',
    help: 'WebSocket upgrades refused, by HTTP status (400 malformed, 401 no ticket or session, 403 origin, 404 path, 429 address cap, 503 draining)',
    labelNames: ['status'],
    registers: [this.registry],
  });

  /** The HTTP edge's connection counts (http/connection-guard.ts), read at each scrape. */
  observeHttpEdge(edge: ConnectionGuardStats): void {
    const registers = [this.registry];
    new Gauge({
      name: 'conclave_http_open_connections',
      help: 'Open HTTP(S) connections, WebSockets included',
      registers,
      collect() {
        this.set(edge.open);
      },
    });
    new Gauge({
      name: 'conclave_http_max_connections',
      help: 'The server-wide connection cap in force',
      registers,
      collect() {
        this.set(edge.maxConnections);
      },
    });
    new Counter({
      name: 'conclave_http_connections_refused_total',
      help: 'Connections reset at accept, by reason (per_address cap, max_connections)',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        this.inc({ reason: 'per_address' }, edge.refused.perAddress);
        this.inc({ reason: 'max_connections' }, edge.refused.maxConnections);
      },
    });
    new Counter({
      name: 'conclave_http_malformed_requests_total',
      help: 'Malformed or too-slow requests refused by the HTTP parser, by status answered (0 = the socket had already failed)',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        for (const [status, n] of edge.clientErrors) this.inc({ status: String(status) }, n);
      },
    });
  }

  constructor(rooms: RoomRegistry, health: WorkerHealthMonitor) {
    collectDefaultMetrics({ register: this.registry, prefix: 'conclave_process_' });
    const count = (
      name: string,
      help: string,
      of: (c: { peers: number; transports: number; producers: number; consumers: number }) => number,
    ) =>
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
    new Gauge({
      name: 'conclave_rooms',
      help: 'Rooms with a running meeting',
      registers: [this.registry],
      collect() {
        this.set(rooms.size);
      },
    });
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
