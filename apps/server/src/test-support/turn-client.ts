/**
 * A minimal TURN client (RFC 5766 / RFC 8489 messages) for tests: Allocate
 * with long-term credentials, CreatePermission, and Refresh(0) to release.
 * Enough to see exactly what coturn answers to a given username and
 * password, over UDP or TCP.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';

const MAGIC = 0x2112a442;

const Method = { Allocate: 0x003, Refresh: 0x004, CreatePermission: 0x008 } as const;
const Attr = {
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedTransport: 0x0019,
} as const;

export interface TurnAnswer {
  ok: boolean;
  /** STUN error code (401, 403, 438, …) when not ok. */
  code?: number;
  reason?: string;
  relayed?: { address: string; port: number };
}

interface Message {
  cls: 'success' | 'error' | 'other';
  method: number;
  txid: Buffer;
  attrs: Map<number, Buffer>;
}

function attr(type: number, value: Buffer): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc(pad)]);
}

function xorAddress(address: string, port: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(0x01, 1); // IPv4
  b.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  const ip = address.split('.').reduce((n, part) => (n << 8) | Number(part), 0) >>> 0;
  b.writeUInt32BE((ip ^ MAGIC) >>> 0, 4);
  return b;
}

function readXorAddress(v: Buffer): { address: string; port: number } {
  const port = v.readUInt16BE(2) ^ (MAGIC >>> 16);
  const ip = (v.readUInt32BE(4) ^ MAGIC) >>> 0;
  return { address: [24, 16, 8, 0].map((s) => (ip >>> s) & 0xff).join('.'), port };
}

/** Encodes a request; with `key`, appends MESSAGE-INTEGRITY (HMAC-SHA1 over everything before it). */
function encode(method: number, txid: Buffer, attrs: Buffer[], key?: Buffer): Buffer {
  const body = Buffer.concat(attrs);
  const header = Buffer.alloc(20);
  // Class bits (request = 00) are interleaved with the method bits.
  header.writeUInt16BE(((method & 0xf80) << 2) | ((method & 0x070) << 1) | (method & 0x00f), 0);
  header.writeUInt32BE(MAGIC, 4);
  txid.copy(header, 8);
  if (!key) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  header.writeUInt16BE(body.length + 24, 2); // length as if MESSAGE-INTEGRITY were already there
  const mac = createHmac('sha1', key)
    .update(Buffer.concat([header, body]))
    .digest();
  return Buffer.concat([header, body, attr(Attr.MessageIntegrity, mac)]);
}

function decode(buf: Buffer): Message {
  const type = buf.readUInt16BE(0);
  const length = buf.readUInt16BE(2);
  const c = ((type >> 7) & 0x2) | ((type >> 4) & 0x1);
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const attrs = new Map<number, Buffer>();
  let off = 20;
  while (off + 4 <= 20 + length) {
    const t = buf.readUInt16BE(off);
    const l = buf.readUInt16BE(off + 2);
    if (!attrs.has(t)) attrs.set(t, buf.subarray(off + 4, off + 4 + l));
    off += 4 + l + ((4 - (l % 4)) % 4);
  }
  return { cls: c === 2 ? 'success' : c === 3 ? 'error' : 'other', method, txid: buf.subarray(8, 20), attrs };
}

function errorOf(m: Message): { code: number; reason: string } {
  const v = m.attrs.get(Attr.ErrorCode);
  if (!v) return { code: 0, reason: 'no ERROR-CODE' };
  return { code: (v.readUInt8(2) & 0x7) * 100 + v.readUInt8(3), reason: v.subarray(4).toString('utf8') };
}

/** One client connection (UDP or TCP) to a TURN server, with request/response matching. */
class Channel {
  private waiting = new Map<string, (m: Message) => void>();
  private tcpBuffer = Buffer.alloc(0);
  private constructor(
    private readonly sendRaw: (b: Buffer) => void,
    private readonly closeRaw: () => void,
    private readonly reliable: boolean,
  ) {}

  static async open(host: string, port: number, transport: Transport, tlsOptions?: TlsOptions): Promise<Channel> {
    if (transport === 'udp') {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(port, host, () => resolve());
      });
      // ICMP "port unreachable" surfaces as an error: the request just times out instead.
      socket.on('error', () => undefined);
      const ch = new Channel(
        (b) => socket.send(b),
        () => socket.close(),
        false,
      );
      socket.on('message', (b) => ch.onMessage(b));
      return ch;
    }
    const socket =
      transport === 'tls' ? tls.connect({ host, port, servername: tlsOptions?.servername, ca: tlsOptions?.ca }) : net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => resolve());
    });
    const ch = new Channel(
      (b) => socket.write(b),
      () => socket.destroy(),
      true,
    );
    socket.on('data', (b) => ch.onTcpData(b));
    socket.on('error', () => undefined);
    return ch;
  }

  private onTcpData(chunk: Buffer): void {
    this.tcpBuffer = Buffer.concat([this.tcpBuffer, chunk]);
    while (this.tcpBuffer.length >= 20) {
      const total = 20 + this.tcpBuffer.readUInt16BE(2);
      if (this.tcpBuffer.length < total) return;
      this.onMessage(this.tcpBuffer.subarray(0, total));
      this.tcpBuffer = this.tcpBuffer.subarray(total);
    }
  }

  private onMessage(b: Buffer): void {
    if (b.length < 20 || b.readUInt32BE(4) !== MAGIC) return;
    const m = decode(b);
    this.waiting.get(m.txid.toString('hex'))?.(m);
  }

  /** Sends a request and waits for its answer, retransmitting over UDP. */
  async request(method: number, attrs: Buffer[], key?: Buffer): Promise<Message> {
    const txid = randomBytes(12);
    const packet = encode(method, txid, attrs, key);
    return new Promise<Message>((resolve, reject) => {
      let tries = 0;
      let timer: NodeJS.Timeout;
      const send = () => {
        if (tries++ >= (this.reliable ? 1 : 6)) {
          this.waiting.delete(txid.toString('hex'));
          reject(new Error('no answer from the TURN server'));
          return;
        }
        this.sendRaw(packet);
        timer = setTimeout(send, this.reliable ? 5000 : 500);
      };
      this.waiting.set(txid.toString('hex'), (m) => {
        clearTimeout(timer);
        this.waiting.delete(txid.toString('hex'));
        resolve(m);
      });
      send();
    });
  }

  close(): void {
    this.closeRaw();
  }
}

type Transport = 'udp' | 'tcp' | 'tls';

/** For TURN over TLS: the certificate to trust and the name it must carry. */
export interface TlsOptions {
  ca: string;
  servername: string;
}

export interface TurnSessionOptions {
  host: string;
  port: number;
  transport?: Transport;
  tls?: TlsOptions;
  username: string;
  password: string;
}

/**
 * An authenticated TURN allocation attempt. `allocate()` does the RFC 5766
 * dance (unauthenticated request → 401 with realm and nonce → authenticated
 * request) and reports what the server finally said.
 */
export class TurnSession {
  private realm: Buffer = Buffer.alloc(0);
  private nonce: Buffer = Buffer.alloc(0);
  private key: Buffer = Buffer.alloc(0);
  private allocated = false;

  private constructor(
    private readonly channel: Channel,
    private readonly username: string,
    private readonly password: string,
  ) {}

  static async open(o: TurnSessionOptions): Promise<TurnSession> {
    return new TurnSession(await Channel.open(o.host, o.port, o.transport ?? 'udp', o.tls), o.username, o.password);
  }

  /** An Allocate without credentials: the server's answer (a 401 challenge from any server that authenticates). */
  async challenge(): Promise<TurnAnswer> {
    const first = await this.channel.request(Method.Allocate, [attr(Attr.RequestedTransport, Buffer.from([17, 0, 0, 0]))]);
    return first.cls === 'success' ? { ok: true } : { ok: false, ...errorOf(first) };
  }

  private authAttrs(): Buffer[] {
    return [attr(Attr.Username, Buffer.from(this.username)), attr(Attr.Realm, this.realm), attr(Attr.Nonce, this.nonce)];
  }

  /** Sends an authenticated request, refreshing the nonce once if the server says it is stale (438). */
  private async authed(method: number, attrs: Buffer[]): Promise<Message> {
    let answer = await this.channel.request(method, [...attrs, ...this.authAttrs()], this.key);
    if (answer.cls === 'error' && errorOf(answer).code === 438) {
      this.nonce = answer.attrs.get(Attr.Nonce) ?? this.nonce;
      answer = await this.channel.request(method, [...attrs, ...this.authAttrs()], this.key);
    }
    return answer;
  }

  /** `relay`: the relayed transport asked for, UDP (what browsers use) or TCP (RFC 6062). */
  async allocate(relay: 'udp' | 'tcp' = 'udp'): Promise<TurnAnswer> {
    const transport = attr(Attr.RequestedTransport, Buffer.from([relay === 'udp' ? 17 : 6, 0, 0, 0]));
    const first = await this.channel.request(Method.Allocate, [transport]);
    if (first.cls === 'success') return { ok: false, code: 0, reason: 'the server allocated without asking for credentials' };
    const challenge = errorOf(first);
    if (challenge.code !== 401) return { ok: false, ...challenge };
    this.realm = first.attrs.get(Attr.Realm) ?? Buffer.alloc(0);
    this.nonce = first.attrs.get(Attr.Nonce) ?? Buffer.alloc(0);
    this.key = createHash('md5')
      .update(`${this.username}:${this.realm.toString('utf8')}:${this.password}`)
      .digest();
    const answer = await this.authed(Method.Allocate, [transport]);
    if (answer.cls !== 'success') return { ok: false, ...errorOf(answer) };
    this.allocated = true;
    const relayed = answer.attrs.get(Attr.XorRelayedAddress);
    return { ok: true, ...(relayed ? { relayed: readXorAddress(relayed) } : {}) };
  }

  /** Asks to relay to `address` (IPv4). Sends nothing to that address itself. */
  async createPermission(address: string): Promise<TurnAnswer> {
    const answer = await this.authed(Method.CreatePermission, [attr(Attr.XorPeerAddress, xorAddress(address, 0))]);
    return answer.cls === 'success' ? { ok: true } : { ok: false, ...errorOf(answer) };
  }

  /** Refreshes the allocation for `lifetimeSeconds` (authenticated with this session's credential). */
  async refresh(lifetimeSeconds: number): Promise<TurnAnswer> {
    const lifetime = Buffer.alloc(4);
    lifetime.writeUInt32BE(lifetimeSeconds);
    const answer = await this.authed(Method.Refresh, [attr(Attr.Lifetime, lifetime)]);
    return answer.cls === 'success' ? { ok: true } : { ok: false, ...errorOf(answer) };
  }

  /** Releases the allocation (Refresh with lifetime 0) and closes the connection. */
  async close(): Promise<void> {
    if (this.allocated) {
      const zero = Buffer.alloc(4);
      await this.authed(Method.Refresh, [attr(Attr.Lifetime, zero)]).catch(() => undefined);
    }
    this.channel.close();
  }
}
