/**
 * Fuzzed signaling frames, mutated from valid ones, for the hostile suite.
 * Every method of the protocol has a template of a valid request (with ids
 * the fuzzing client has really been given, when it has some, so mutations
 * reach deep into the handlers); each frame takes one template and applies
 * one or two mutations: bit flips, type swaps, deep nesting, huge strings,
 * unicode junk, truncation, duplicated keys, numbers at extremes, or none.
 *
 * Deterministic for a seed: the same seed gives the same frames in the same
 * order (the ids learnt from the server aside), so a failure can be replayed
 * with CONCLAVE_FUZZ_SEED.
 */
import { MAX_KEY_PACKAGE_CHARS, methodNames, type MethodName } from '@conclave/protocol';
import { seededRandom } from './seeded-random.js';

/** Ids a fuzzing client has learnt from the server (its own objects, and others'). */
export interface KnownIds {
  roomId: string;
  peerIds: string[];
  transportIds: string[];
  producerIds: string[];
  consumerIds: string[];
  requestIds: string[];
  rtpCapabilities: Record<string, unknown> | null;
}

export const MUTATIONS = [
  'none',
  'bitFlip',
  'typeSwap',
  'deepNesting',
  'hugeString',
  'unicodeJunk',
  'truncation',
  'duplicateKeys',
  'extremeNumber',
  'dropField',
  'extraField',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface FuzzFrame {
  method: MethodName;
  mutations: Mutation[];
  /** A string is sent as a text frame; bytes (a bit-flipped frame, maybe not UTF-8) as a text frame of those bytes. */
  data: string | Buffer;
}

const UNICODE_JUNK = [
  '\u0000',
  '\u0007',
  '\u001b[2J',
  '\u202e',
  '\u2066',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\uffff',
  '\u{10ffff}',
  '🙂',
  '👨‍👩‍👧',
  'Z̴̡̛̖͎̪a̵l̸g̷o̶',
  '\u0301\u0301\u0301',
  'Å',
  '\u2028',
  '"',
  '\\',
  '</script>',
  '%00',
  '${x}',
];
const EXTREME_NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 63),
  1e308,
  -1e308,
  5e-324,
  1e21,
  4294967295,
  4294967296,
  65535,
  65536,
];

const opus = {
  mimeType: 'audio/opus',
  kind: 'audio',
  clockRate: 48000,
  channels: 2,
  preferredPayloadType: 100,
  parameters: { useinbandfec: 1 },
  rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
};
const vp8 = {
  mimeType: 'video/VP8',
  kind: 'video',
  clockRate: 90000,
  preferredPayloadType: 101,
  parameters: {},
  rtcpFeedback: [
    { type: 'nack', parameter: '' },
    { type: 'nack', parameter: 'pli' },
    { type: 'ccm', parameter: 'fir' },
  ],
};
const fallbackCaps = {
  codecs: [opus, vp8],
  headerExtensions: [{ kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1 }],
};

function opusParameters(ssrc: number) {
  return {
    mid: '0',
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} }],
    encodings: [{ ssrc, dtx: true }],
    rtcp: { cname: `fuzz-${ssrc}`, reducedSize: true },
  };
}

function vp8Simulcast(ssrc: number) {
  return {
    mid: '1',
    codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack', parameter: '' }] }],
    headerExtensions: [],
    encodings: [0, 1, 2].map((i) => ({ ssrc: ssrc + i, rid: `r${i}`, scalabilityMode: 'L1T3', maxBitrate: 150_000 * (i + 1) })),
    rtcp: { cname: `fuzz-${ssrc}`, reducedSize: true },
  };
}

export class SignalingFuzzer {
  private readonly random: () => number;
  private nextId = 1;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  /** An id the server gave, most of the time; a made-up one otherwise. */
  private id(known: string[]): string {
    if (known.length > 0 && this.chance(0.8)) return this.pick(known);
    return this.pick(['x', '00000000-0000-0000-0000-000000000000', 'a'.repeat(128), 'transport', '../../etc/passwd', '__proto__']);
  }

  /** A valid request body for `method`, using what the client knows. */
  template(method: MethodName, k: KnownIds): Record<string, unknown> {
    switch (method) {
      case 'join':
        return { roomId: k.roomId, displayName: this.pick(['Fuzz', 'Ada (host)', 'x', 'Zoë']) };
      case 'createTransport':
        return { direction: this.pick(['send', 'recv']) };
      case 'connectTransport':
        return {
          transportId: this.id(k.transportIds),
          dtlsParameters: {
            role: 'client',
            fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }],
          },
        };
      case 'restartIce':
        return { transportId: this.id(k.transportIds) };
      case 'produce': {
        const video = this.chance(0.4);
        return {
          transportId: this.id(k.transportIds),
          kind: video ? 'video' : 'audio',
          source: video ? this.pick(['camera', 'screen']) : this.pick(['mic', 'screen-audio']),
          rtpParameters: video ? vp8Simulcast(1000 + this.int(1_000_000)) : opusParameters(1000 + this.int(1_000_000)),
          paused: this.chance(0.3),
        };
      }
      case 'pauseProducer':
      case 'resumeProducer':
      case 'closeProducer':
        return { producerId: this.id(k.producerIds) };
      case 'consume':
        return { producerId: this.id(k.producerIds), rtpCapabilities: k.rtpCapabilities ?? fallbackCaps };
      case 'resumeConsumer':
        return { consumerId: this.id(k.consumerIds) };
      case 'setViews':
        return {
          views: Array.from({ length: 1 + this.int(4) }, () => ({
            consumerId: this.id(k.consumerIds),
            width: this.int(2000),
            height: this.int(2000),
            visible: this.chance(0.7),
          })),
        };
      case 'groupJoin':
        // A real KeyPackage is about 470 characters; now and then one at the cap.
        return {
          keyPackage: this.chance(0.1) ? 'A'.repeat(MAX_KEY_PACKAGE_CHARS) : 'S1Bh'.repeat(1 + this.int(150)),
          pake: 'cHJm'.repeat(1 + this.int(11)),
        };
      case 'groupAdmit':
        return { to: this.id(k.peerIds), message: this.chance(0.1) ? 'A'.repeat(256) : 'QQ'.repeat(1 + this.int(40)) };
      case 'groupCommit':
        // Mostly on the first few epochs, so some land on the group's and are relayed, others are stale.
        return {
          epoch: this.int(4),
          commit: 'Q29t'.repeat(1 + this.int(500)),
          ...(this.chance(0.5) ? { welcome: 'V2Vs'.repeat(1 + this.int(2000)) } : {}),
          added: Array.from({ length: this.int(3) }, () => this.id(k.peerIds)),
          removed: Array.from({ length: this.int(2) }, () => this.id(k.peerIds)),
        };
      case 'groupMessage':
        return { message: this.chance(0.1) ? 'A'.repeat(4096) : 'b3Jp'.repeat(1 + this.int(200)) };
      case 'chatSend':
        return { message: 'Y2hhdA'.repeat(1 + this.int(30)) };
      case 'setRecording':
        return { recording: this.chance(0.5) };
      case 'reportStatus':
        return { e2ee: this.pick(['encrypted', 'waiting-for-key', 'cannot-decrypt']) };
      case 'lobbyAdmit':
      case 'lobbyDeny':
        return { requestId: this.id(k.requestIds) };
      case 'mutePeer':
      case 'removePeer':
        return { peerId: this.id(k.peerIds) };
      case 'lockRoom':
        return { locked: this.chance(0.5) };
      case 'leave':
      case 'ping':
      case 'endMeeting':
        return {};
      default: {
        const unknown: never = method;
        return { unknown };
      }
    }
  }

  /** Every path (keys/indexes) to a value inside `value`, the root included. */
  private paths(value: unknown, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
    out.push(at);
    if (Array.isArray(value)) value.forEach((v, i) => this.paths(v, [...at, i], out));
    else if (value && typeof value === 'object') for (const [key, v] of Object.entries(value)) this.paths(v, [...at, key], out);
    return out;
  }

  private replaceAt(root: unknown, path: Array<string | number>, make: (old: unknown) => unknown): unknown {
    if (path.length === 0) return make(root);
    const [head, ...rest] = path;
    const copy: Record<string | number, unknown> | unknown[] = Array.isArray(root) ? [...root] : { ...(root as Record<string, unknown>) };
    (copy as Record<string | number, unknown>)[head!] = this.replaceAt((root as Record<string | number, unknown>)[head!], rest, make);
    return copy;
  }

  private anyValue(): unknown {
    return this.pick<() => unknown>([
      () => null,
      () => true,
      () => this.pick(EXTREME_NUMBERS),
      () => '',
      () => 'string',
      () => [],
      () => ({}),
      () => [1, 'two', null],
      () => ({ ['__proto__']: { polluted: true }, constructor: { prototype: { x: 1 } } }),
    ])();
  }

  private nest(depth: number, inner: unknown): unknown {
    let v = inner;
    for (let i = 0; i < depth; i++) v = this.chance(0.5) ? [v] : { a: v };
    return v;
  }

  /** Applies a mutation to the request (as an object) or, for text mutations, to its JSON. */
  private mutate(
    request: Record<string, unknown>,
    text: string | null,
    m: Mutation,
  ): { request: Record<string, unknown>; text: string | null; bytes?: Buffer } {
    const paths = this.paths(request);
    const somewhere = () => this.pick(paths);
    switch (m) {
      case 'none':
        return { request, text };
      case 'typeSwap':
        return { request: this.replaceAt(request, somewhere(), () => this.anyValue()) as Record<string, unknown>, text: null };
      case 'deepNesting': {
        // Mostly just past what the protocol allows, sometimes absurdly deep (the size cap or depth scan refuses it).
        const depth = this.pick([10, 14, 15, 16, 17, 20, 64, 500, 5000, 30_000]);
        if (depth > 2000) {
          const json = JSON.stringify(request);
          return { request, text: json.replace(/}$/, `,"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`) };
        }
        return { request: this.replaceAt(request, somewhere(), (old) => this.nest(depth, old)) as Record<string, unknown>, text: null };
      }
      case 'hugeString': {
        // Now and then past the WebSocket layer's own limit (the socket is closed, 1009), more often past MAX_MESSAGE_BYTES.
        const size = this.chance(0.03) ? 140_000 : this.pick([200, 1000, 8193, 20_000, 40_000, 70_000]);
        const filler = size >= 40_000 ? 'A' : this.pick(['A', 'x', 'é', '🙂', '\\u0000']);
        return {
          request: this.replaceAt(request, somewhere(), () => filler.repeat(Math.ceil(size / filler.length))) as Record<string, unknown>,
          text: null,
        };
      }
      case 'unicodeJunk': {
        const junk = Array.from({ length: 1 + this.int(6) }, () => this.pick(UNICODE_JUNK)).join('');
        const target = somewhere();
        return {
          request: this.replaceAt(request, target, (old) =>
            typeof old === 'string' ? `${old.slice(0, this.int(old.length + 1))}${junk}` : junk,
          ) as Record<string, unknown>,
          text: null,
        };
      }
      case 'extremeNumber':
        return { request: this.replaceAt(request, somewhere(), () => this.pick(EXTREME_NUMBERS)) as Record<string, unknown>, text: null };
      case 'dropField': {
        const target = somewhere();
        if (target.length === 0) return { request, text };
        const parent = target.slice(0, -1);
        const key = target.at(-1)!;
        return {
          request: this.replaceAt(request, parent, (old) => {
            if (Array.isArray(old)) return old.filter((_, i) => i !== key);
            const { [key]: _dropped, ...rest } = old as Record<string, unknown>;
            return rest;
          }) as Record<string, unknown>,
          text: null,
        };
      }
      case 'extraField':
        return {
          request: this.replaceAt(request, somewhere(), (old) =>
            old && typeof old === 'object' && !Array.isArray(old)
              ? { ...old, [this.pick(['__proto__', 'constructor', 'x', 'evil'])]: this.anyValue() }
              : old,
          ) as Record<string, unknown>,
          text: null,
        };
      case 'bitFlip': {
        const json = text ?? JSON.stringify(request);
        const bytes = Buffer.from(json, 'utf8');
        const flips = 1 + this.int(4);
        // The top bit rarely: most flips keep the text UTF-8 (a frame that is not is refused by ws, closing the socket).
        for (let i = 0; i < flips; i++) bytes[this.int(bytes.length)]! ^= 1 << (this.chance(0.02) ? 7 : this.int(7));
        return { request, text: null, bytes };
      }
      case 'truncation': {
        const json = text ?? JSON.stringify(request);
        return { request, text: json.slice(0, this.int(json.length)) };
      }
      case 'duplicateKeys': {
        const json = text ?? JSON.stringify(request);
        // Repeat a key with another value: JSON.parse keeps the last one, so the second may smuggle a type past a first look.
        const dup = this.pick([
          `"id":"1"`,
          `"method":"endMeeting"`,
          `"type":"response"`,
          `"data":null`,
          `"data":{"roomId":"x"}`,
          `"__proto__":{"x":1}`,
        ]);
        return { request, text: json.replace(/}$/, `,${dup}}`) };
      }
    }
  }

  /** The next frame: a method's valid request, mutated once or twice (or not at all). */
  next(known: KnownIds): FuzzFrame {
    const method = this.pick(methodNames);
    let request: Record<string, unknown> = { type: 'request', id: this.nextId++, method, data: this.template(method, known) };
    let text: string | null = null;
    const count = this.chance(0.12) ? 0 : this.chance(0.75) ? 1 : 2;
    const applied: Mutation[] = [];
    for (let i = 0; i < count; i++) {
      const m = this.pick(MUTATIONS.slice(1));
      // Structural mutations after a text one would undo it: keep to text ones then.
      if (text !== null && !['truncation', 'duplicateKeys'].includes(m)) continue;
      const out = this.mutate(request, text, m);
      applied.push(m);
      if (out.bytes) return { method, mutations: applied, data: out.bytes }; // bytes are final
      ({ request, text } = out);
    }
    return { method, mutations: applied.length ? applied : ['none'], data: text ?? JSON.stringify(request) };
  }
}
