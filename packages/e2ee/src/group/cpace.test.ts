import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  CPACE_DSI,
  CpaceError,
  type CpaceParams,
  cpaceGenerator,
  cpaceGeneratorString,
  cpaceIsk,
  cpaceRespond,
  cpaceRespondWithScalar,
  cpaceSampleScalar,
  cpaceScalarMultVfy,
  cpaceStart,
  cpaceStartWithScalar,
  cpaceTranscriptIr,
  lvCat,
  prependLen,
} from './cpace.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const le = (hex: string): bigint => BigInt(`0x${bytesToHex(hexToBytes(hex).reverse())}`);
const range = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);

// Test vectors from draft-irtf-cfrg-cpace-21 (IETF Trust), appendix "Test vector
// for CPace using group ristretto255 and hash SHA-512" and the string-utility
// vectors before it.
const V = {
  prs: enc('Password'),
  ci: hexToBytes('0b415f696e69746961746f720b425f726573706f6e646572'),
  sid: hexToBytes('7e4b4791d6a8ef019b936c79fb7f2c57'),
  generatorString:
    '11435061636552697374726574746f3235350850617373776f726464' +
    '00000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000000000000000000000000000' +
    '00000000000000000000000000000000180b415f696e69746961746f' +
    '720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f' +
    '2c57',
  generatorHash:
    'da6d3ddc8802fca9058755ffd3ebde08a9c2c74945901a258482a288' +
    'b6663af06bf645c93cd1c51512307199c80e84908916d983b34af772' +
    '05f90851a657ee27',
  g: '222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56',
  adA: enc('ADa'),
  ya: le('da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08'),
  Ya: 'd6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157',
  adB: enc('ADb'),
  yb: le('d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d'),
  Yb: '3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f7258',
  K: '80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc9887c8b40f',
  transcriptIr:
    '20d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0e' +
    'ec482b915703414461203ea7e0b19560d7c0b0f5734f63b955286dfa' +
    '8232b5ebe63324e2d9e7433f725803414462',
  iskIr:
    'b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dc' +
    'ae7b35cd2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c' +
    '3fa2068af7900447',
  // "Test case for scalar_mult with valid inputs" / "Invalid inputs for scalar_mult_vfy"
  s: le('7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88cf538a05'),
  X: '2c3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c',
  sX: '7c13645fe790a468f62c39beb7388e541d8405d1ade69d1778c5fe3e7f6b600e',
  Yi1: '2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c',
  Yi2: '0000000000000000000000000000000000000000000000000000000000000000',
};
const vectorParams: CpaceParams = { prs: V.prs, ci: V.ci, sid: V.sid };

/** Not valid ristretto255 encodings (the first four from RFC 9496 §A.2), plus a valid Ya with bit 255 set. */
const NON_CANONICAL = [
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p itself: a non-canonical 0 (the identity)
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // >= p
  '00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // >= p (bit 255 set)
  '0100000000000000000000000000000000000000000000000000000000000000', // negative (odd) s
  `${V.Ya.slice(0, 62)}${(parseInt(V.Ya.slice(62), 16) | 0x80).toString(16)}`, // Ya with the top bit set
  V.Yi1,
];

describe('CPace string utilities (draft vectors)', () => {
  it('prepend_len is LEB128 length then the bytes', () => {
    expect(bytesToHex(prependLen(new Uint8Array()))).toBe('00');
    expect(bytesToHex(prependLen(enc('1234')))).toBe('0431323334');
    expect(bytesToHex(prependLen(range(127)))).toBe(`7f${bytesToHex(range(127))}`);
    expect(bytesToHex(prependLen(range(128)))).toBe(`8001${bytesToHex(range(128))}`);
    expect(bytesToHex(prependLen(new Uint8Array(300)).subarray(0, 2))).toBe('ac02');
    expect(bytesToHex(prependLen(new Uint8Array(16384)).subarray(0, 3))).toBe('808001');
  });

  it('lv_cat', () => {
    expect(bytesToHex(lvCat(enc('1234'), enc('5'), new Uint8Array(), enc('678')))).toBe('043132333401350003363738');
  });

  it('transcript_ir', () => {
    expect(bytesToHex(cpaceTranscriptIr(enc('123'), enc('PartyA'), enc('234'), enc('PartyB')))).toBe(
      '03313233065061727479410332333406506172747942',
    );
    expect(bytesToHex(cpaceTranscriptIr(enc('3456'), enc('PartyA'), enc('2345'), enc('PartyB')))).toBe(
      '043334353606506172747941043233343506506172747942',
    );
  });
});

describe('CPaceRistretto255 (draft vectors)', () => {
  it('generator string, its hash and the generator g', () => {
    const genStr = cpaceGeneratorString(vectorParams);
    expect(genStr.length).toBe(170);
    expect(bytesToHex(genStr)).toBe(V.generatorString);
    expect(bytesToHex(sha512(genStr))).toBe(V.generatorHash);
    expect(bytesToHex(cpaceGenerator(vectorParams).toBytes())).toBe(V.g);
  });

  it('Ya, Yb, K and ISK_IR through the initiator and the responder', () => {
    const a = cpaceStartWithScalar(vectorParams, V.adA, V.ya);
    expect(bytesToHex(a.message)).toBe(V.Ya);
    const b = cpaceRespondWithScalar(vectorParams, V.adA, a.message, V.adB, V.yb);
    expect(bytesToHex(b.message)).toBe(V.Yb);
    expect(bytesToHex(b.isk)).toBe(V.iskIr);
    expect(bytesToHex(a.finish(b.message, V.adB))).toBe(V.iskIr);
  });

  it('K both ways, the transcript and ISK from its parts', () => {
    const Ya = hexToBytes(V.Ya);
    const Yb = hexToBytes(V.Yb);
    expect(bytesToHex(cpaceScalarMultVfy(V.ya, Yb))).toBe(V.K);
    expect(bytesToHex(cpaceScalarMultVfy(V.yb, Ya))).toBe(V.K);
    expect(bytesToHex(cpaceTranscriptIr(Ya, V.adA, Yb, V.adB))).toBe(V.transcriptIr);
    expect(bytesToHex(cpaceIsk(V.sid, hexToBytes(V.K), Ya, V.adA, Yb, V.adB))).toBe(V.iskIr);
  });

  it('scalar_mult_vfy: the valid case, and G.I for the invalid points', () => {
    expect(bytesToHex(cpaceScalarMultVfy(V.s, hexToBytes(V.X)))).toBe(V.sX);
    expect(bytesToHex(cpaceScalarMultVfy(V.s, hexToBytes(V.Yi1)))).toBe(V.Yi2);
    expect(bytesToHex(cpaceScalarMultVfy(V.s, hexToBytes(V.Yi2)))).toBe(V.Yi2);
  });

  it('the protocol aborts on the invalid points, on either side', () => {
    for (const bad of [V.Yi1, V.Yi2]) {
      expect(() => cpaceRespondWithScalar(vectorParams, V.adA, hexToBytes(bad), V.adB, V.yb)).toThrow(CpaceError);
      const a = cpaceStartWithScalar(vectorParams, V.adA, V.ya);
      expect(() => a.finish(hexToBytes(bad), V.adB)).toThrow(CpaceError);
    }
  });
});

describe('generator string padding', () => {
  it('DSI, PRS and the zero padding fill the first 128-byte SHA-512 block for a PRS up to 108 bytes', () => {
    const empty = new Uint8Array();
    for (const n of [0, 1, 8, 64, 107, 108]) {
      const prs = new Uint8Array(n).fill(0xaa);
      const head = lvCat(CPACE_DSI, prs);
      const genStr = cpaceGeneratorString({ prs, ci: empty, sid: empty });
      // the rest of the first block: the zero padding's length byte, then zeros
      expect(genStr.length).toBe(128 + 2);
      expect(bytesToHex(genStr.subarray(0, head.length))).toBe(bytesToHex(head));
      expect(genStr[head.length]).toBe(128 - head.length - 1);
      expect(genStr.subarray(head.length + 1, 128).every((x) => x === 0)).toBe(true);
    }
  });

  it('a long PRS gets no padding (an empty zero_bytes field)', () => {
    const empty = new Uint8Array();
    for (const n of [109, 110, 200]) {
      const prs = new Uint8Array(n).fill(0xaa);
      const genStr = cpaceGeneratorString({ prs, ci: empty, sid: empty });
      expect(bytesToHex(genStr)).toBe(bytesToHex(lvCat(CPACE_DSI, prs, empty, empty, empty)));
    }
  });
});

describe('CPace public API', () => {
  const params = (over: Partial<CpaceParams> = {}): CpaceParams => ({
    prs: enc('correct horse battery staple'),
    ci: enc('room-1'),
    sid: hexToBytes('00112233445566778899aabbccddeeff'),
    ...over,
  });
  const adA = enc('alice');
  const adB = enc('bob');

  /** One run where the responder holds `pb`, and the ADs each side uses may differ from what was sent. */
  function run(pa: CpaceParams, pb: CpaceParams, adBSeenByA = adB, adASeenByB = adA): [Uint8Array, Uint8Array] {
    const a = cpaceStart(pa, adA);
    const b = cpaceRespond(pb, adASeenByB, a.message, adB);
    return [a.finish(b.message, adBSeenByA), b.isk];
  }

  it('matching inputs give the same 64-byte ISK, fresh each run', () => {
    const [ia, ib] = run(params(), params());
    expect(ia.length).toBe(64);
    expect(bytesToHex(ia)).toBe(bytesToHex(ib));
    const [again] = run(params(), params());
    expect(bytesToHex(again)).not.toBe(bytesToHex(ia));
  });

  it('fresh scalars: two starts with the same inputs send different messages', () => {
    expect(bytesToHex(cpaceStart(params(), adA).message)).not.toBe(bytesToHex(cpaceStart(params(), adA).message));
  });

  it('a different PRS, CI, sid, ADa or ADb gives different ISKs', () => {
    const cases: [string, Uint8Array, Uint8Array][] = [
      ['PRS', ...run(params(), params({ prs: enc('correct horse battery stapler') }))],
      ['CI', ...run(params(), params({ ci: enc('room-2') }))],
      ['sid', ...run(params(), params({ sid: hexToBytes('00112233445566778899aabbccddeef0') }))],
      ['ADa', ...run(params(), params(), adB, enc('mallory'))],
      ['ADb', ...run(params(), params(), enc('mallory'), adA)],
    ];
    for (const [what, ia, ib] of cases) expect(bytesToHex(ia), what).not.toBe(bytesToHex(ib));
  });

  it('the responder rejects an invalid Ya: wrong length, non-canonical, identity', () => {
    const good = cpaceStart(params(), adA).message;
    const bad = [
      new Uint8Array(),
      good.subarray(0, 31),
      Uint8Array.of(...good, 0),
      new Uint8Array(32),
      ...NON_CANONICAL.map((h) => hexToBytes(h)),
    ];
    for (const ya of bad) expect(() => cpaceRespond(params(), adA, ya, adB), bytesToHex(ya)).toThrow(CpaceError);
    expect(() => cpaceRespond(params(), adA, good, adB)).not.toThrow();
  });

  it('the initiator rejects an invalid Yb, and its state is spent by the failed attempt', () => {
    const bad = [new Uint8Array(31), new Uint8Array(33), new Uint8Array(32), ...NON_CANONICAL.map((h) => hexToBytes(h))];
    for (const yb of bad) {
      const a = cpaceStart(params(), adA);
      expect(() => a.finish(yb, adB), bytesToHex(yb)).toThrow(CpaceError);
      const b = cpaceRespond(params(), adA, a.message, adB);
      expect(() => a.finish(b.message, adB)).toThrow(/twice/);
    }
  });

  it('finish works once', () => {
    const a = cpaceStart(params(), adA);
    const b = cpaceRespond(params(), adA, a.message, adB);
    expect(bytesToHex(a.finish(b.message, adB))).toBe(bytesToHex(b.isk));
    expect(() => a.finish(b.message, adB)).toThrow(CpaceError);
  });

  it('the initiator keeps its own copy of what it sent', () => {
    const a = cpaceStart(params(), adA);
    const sent = a.message.slice();
    const b = cpaceRespond(params(), adA, sent, adB);
    a.message.fill(0);
    expect(bytesToHex(a.finish(b.message, adB))).toBe(bytesToHex(b.isk));
  });
});

describe('scalar sampling', () => {
  it('draws distinct scalars in [1, order-1]', () => {
    const order = 2n ** 252n + 27742317777372353535851937790883648493n;
    const seen = new Set<bigint>();
    for (let i = 0; i < 200; i++) {
      const y = cpaceSampleScalar();
      expect(y > 0n && y < order).toBe(true);
      seen.add(y);
    }
    expect(seen.size).toBe(200);
  });

  it('a fixed scalar outside [1, order-1] is refused', () => {
    const order = 2n ** 252n + 27742317777372353535851937790883648493n;
    for (const y of [0n, order, -1n]) expect(() => cpaceStartWithScalar(vectorParams, V.adA, y)).toThrow(RangeError);
  });
});
