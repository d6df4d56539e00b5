/**
 * MLS interop vectors, psk_secret.json: psk_secret computed from external
 * PreSharedKeyIDs and their keys, as test-vectors.md "Pre-Shared Keys" asks.
 */
import { computePskSecret, type PreSharedKeyID } from 'ts-mls/presharedkey.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface PskSecretVector {
  cipher_suite: number;
  psks: { psk_id: string; psk: string; psk_nonce: string }[];
  psk_secret: string;
}

describeVectors<PskSecretVector>(
  'psk_secret',
  async (v, maybeImpl) => {
    const impl = requireImpl(maybeImpl);
    const psks = v.psks.map((p): [PreSharedKeyID, Uint8Array] => [
      { psktype: 'external', pskId: hex(p.psk_id), pskNonce: hex(p.psk_nonce) },
      hex(p.psk),
    ]);
    expect(toHex(await computePskSecret(psks, impl))).toBe(v.psk_secret);
  },
  { detail: (v) => `${v.psks.length} PSKs` },
);
