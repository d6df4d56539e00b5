/**
 * Loads the RFC 9605 Appendix C test vectors (copied from the SFrame working
 * group's JSON into test/vectors/) with `kid` and `ctr` read as exact BigInts:
 * they go up to 2^64 − 1, beyond a JavaScript number. Test support only; not
 * part of the build.
 */
import { readFileSync } from 'node:fs';

export interface HeaderVector {
  kid: bigint;
  ctr: bigint;
  encoded: Uint8Array;
}

export interface AesCtrHmacVector {
  cipher_suite: number;
  key: Uint8Array;
  enc_key: Uint8Array;
  auth_key: Uint8Array;
  nonce: Uint8Array;
  aad: Uint8Array;
  pt: Uint8Array;
  ct: Uint8Array;
}

export interface SFrameVector {
  cipher_suite: number;
  kid: bigint;
  ctr: bigint;
  base_key: Uint8Array;
  sframe_key_label: Uint8Array;
  sframe_salt_label: Uint8Array;
  sframe_secret: Uint8Array;
  sframe_key: Uint8Array;
  sframe_salt: Uint8Array;
  metadata: Uint8Array;
  nonce: Uint8Array;
  aad: Uint8Array;
  pt: Uint8Array;
  ct: Uint8Array;
}

export interface Rfc9605Vectors {
  header: HeaderVector[];
  aes_ctr_hmac: AesCtrHmacVector[];
  sframe: SFrameVector[];
}

export function hex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || /[^0-9a-f]/i.test(s)) throw new Error(`bad hex: ${s}`);
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

type Raw = Record<string, string | number>;

function convert(raw: Raw): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'kid' || k === 'ctr') out[k] = BigInt(v);
    else if (k === 'cipher_suite') out[k] = v;
    else out[k] = hex(v as string);
  }
  return out;
}

export function loadVectors(): Rfc9605Vectors {
  const text = readFileSync(new URL('./vectors/rfc9605-test-vectors.json', import.meta.url), 'utf8');
  // Quote kid/ctr before JSON.parse so no precision is lost.
  const quoted = text.replace(/"(kid|ctr)"(\s*):(\s*)(\d+)/g, '"$1"$2:$3"$4"');
  const json = JSON.parse(quoted) as Record<string, Raw[]>;
  return {
    header: json.header!.map(convert) as unknown as HeaderVector[],
    aes_ctr_hmac: json.aes_ctr_hmac!.map(convert) as unknown as AesCtrHmacVector[],
    sframe: json.sframe!.map(convert) as unknown as SFrameVector[],
  };
}
