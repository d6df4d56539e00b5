/**
 * A UDP relay that puts a bad network between chosen browser sockets and the
 * SFU: independent random loss and a uniformly jittered delay (netem's model:
 * `loss 10% delay 100ms 30ms` draws each packet's delay from 70–130 ms, so
 * packets reorder), applied to each direction separately.
 *
 * Why a relay and not `tc qdisc … netem`: the kernels this suite runs on may
 * be built without sch_netem (this sandbox's has CONFIG_NET_SCH_NETEM unset
 * and no module support), and no other qdisc there can delay a packet. The
 * relay sits at the address the server announces in its ICE candidates
 * (CONCLAVE_PUBLIC_IP) and forwards to where mediasoup listens
 * (CONCLAVE_RTC_LISTEN_IP), one upstream socket per browser socket, like a
 * 1:1 NAT. Only flows whose browser port is in the impaired set suffer; the
 * others pass at once, so one participant sits behind a bad link and the
 * rest of the room does not.
 *
 * The random numbers come from a seeded generator; the seed is printed by
 * the runner so a pattern of loss can be told apart from another.
 */
import dgram from 'node:dgram';
import { seededRandom } from '../../apps/server/src/hostile/seeded-random.js';

export interface Impairment {
  /** Probability in [0, 1] that a packet is dropped, per direction (1: the link is cut). */
  loss: number;
  /** Mean one-way delay added, ms. */
  delayMs: number;
  /** Each packet's delay is uniform in delayMs ± jitterMs. */
  jitterMs: number;
}

export interface DirectionCounters {
  packets: number;
  dropped: number;
  /** Sum of the delays actually seen between arrival and forwarding (ms), over forwarded packets. */
  delaySumMs: number;
  /** Largest delay actually seen (ms). */
  delayMaxMs: number;
  /** Packets forwarded more than 20 ms after their drawn time: how often the event loop lagged. */
  late: number;
}

export interface RelayCounters {
  /** Browser to SFU, over impaired flows only. */
  up: DirectionCounters;
  /** SFU to browser, over impaired flows only. */
  down: DirectionCounters;
  /** Packets over flows that pass untouched, both directions. */
  clean: number;
  /** Browser ports seen so far (each is one flow). */
  ports: number[];
}

interface Flow {
  client: { address: string; port: number };
  upstream: dgram.Socket;
}

function validate(i: Impairment): void {
  if (!(i.loss >= 0 && i.loss <= 1)) throw new Error(`impairment loss must be in [0, 1]: ${i.loss}`);
  if (!(i.delayMs >= 0) || !(i.jitterMs >= 0) || i.jitterMs > i.delayMs) {
    throw new Error(`impairment delay must be ≥ 0 with 0 ≤ jitter ≤ delay: ${i.delayMs} ± ${i.jitterMs} ms`);
  }
}

const zero = (): DirectionCounters => ({ packets: 0, dropped: 0, delaySumMs: 0, delayMaxMs: 0, late: 0 });

export class ImpairingRelay {
  private readonly front = dgram.createSocket('udp4');
  private readonly flows = new Map<string, Flow>();
  private readonly pending = new Set<NodeJS.Timeout>();
  private impairedPorts = new Set<number>();
  private impairment: Impairment | null = null;
  private readonly random: () => number;
  private counters: RelayCounters = { up: zero(), down: zero(), clean: 0, ports: [] };
  private closed = false;

  constructor(
    private readonly options: {
      /** Where browsers send (the announced address). */
      listen: { address: string; port: number };
      /** Where mediasoup listens. */
      upstream: { address: string; port: number };
      seed: number;
    },
  ) {
    this.random = seededRandom(options.seed);
    this.front.on('message', (msg, rinfo) => this.fromClient(msg, rinfo));
    this.front.on('error', (err) => console.error(`[relay] front socket: ${err.message}`));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.front.once('error', reject);
      this.front.bind(this.options.listen.port, this.options.listen.address, () => {
        this.front.off('error', reject);
        resolve();
      });
    });
  }

  /** From now on, flows from these browser ports suffer `impairment` (null: none); counters restart. */
  impair(ports: number[], impairment: Impairment | null): void {
    if (impairment) validate(impairment);
    for (const p of ports) if (!Number.isInteger(p) || p <= 0 || p > 65535) throw new Error(`not a UDP port: ${p}`);
    this.impairedPorts = new Set(ports);
    this.impairment = impairment;
    this.counters = { up: zero(), down: zero(), clean: 0, ports: this.counters.ports };
  }

  snapshot(): RelayCounters {
    return structuredClone(this.counters);
  }

  private fromClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      const upstream = dgram.createSocket('udp4');
      const client = { address: rinfo.address, port: rinfo.port };
      flow = { client, upstream };
      this.flows.set(key, flow);
      this.counters.ports.push(rinfo.port);
      upstream.on('message', (back) => this.pass('down', client.port, () => this.front.send(back, client.port, client.address)));
      upstream.on('error', (err) => console.error(`[relay] upstream socket for ${key}: ${err.message}`));
    }
    const { upstream } = flow;
    const to = this.options.upstream;
    this.pass('up', rinfo.port, () => upstream.send(msg, to.port, to.address));
  }

  private pass(direction: 'up' | 'down', clientPort: number, send: () => void): void {
    if (this.closed) return;
    const imp = this.impairment;
    if (!imp || !this.impairedPorts.has(clientPort)) {
      this.counters.clean++;
      send();
      return;
    }
    const c = this.counters[direction];
    c.packets++;
    if (this.random() < imp.loss) {
      c.dropped++;
      return;
    }
    const delay = imp.delayMs + (this.random() * 2 - 1) * imp.jitterMs;
    const arrived = performance.now();
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (this.closed) return;
      const seen = performance.now() - arrived;
      c.delaySumMs += seen;
      c.delayMaxMs = Math.max(c.delayMaxMs, seen);
      if (seen > delay + 20) c.late++;
      send();
    }, delay);
    this.pending.add(timer);
  }

  close(): void {
    this.closed = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    for (const f of this.flows.values()) f.upstream.close();
    this.flows.clear();
    this.front.close();
  }
}
