/**
 * MLS interop vectors, secret-tree.json: sender-data key and nonce, and the
 * handshake and application keys and nonces of each leaf's ratchets at the
 * listed generations, as test-vectors.md "Secret Tree" asks.
 */
import type { CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import { defaultKeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js';
import { createSecretTree, deriveKey, deriveNonce, ratchetUntil, type GenerationSecret } from 'ts-mls/secretTree.js';
import { expandSenderDataKey, expandSenderDataNonce } from 'ts-mls/sender.js';
import { leafToNodeIndex, toLeafIndex } from 'ts-mls/treemath.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface RatchetStep {
  generation: number;
  handshake_key: string;
  handshake_nonce: string;
  application_key: string;
  application_nonce: string;
}

interface SecretTreeVector {
  cipher_suite: number;
  sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
  encryption_secret: string;
  leaves: RatchetStep[][];
}

async function keyAndNonce(start: GenerationSecret, generation: number, impl: CiphersuiteImpl): Promise<{ key: string; nonce: string }> {
  const [ratcheted] = await ratchetUntil(start, generation, defaultKeyRetentionConfig, impl.kdf);
  expect(ratcheted.generation).toBe(generation);
  return {
    key: toHex(await deriveKey(ratcheted.secret, ratcheted.generation, impl)),
    nonce: toHex(await deriveNonce(ratcheted.secret, ratcheted.generation, impl)),
  };
}

describeVectors<SecretTreeVector>(
  'secret-tree',
  async (v, maybeImpl) => {
    const impl = requireImpl(maybeImpl);
    const sd = v.sender_data;
    const [secret, ciphertext] = [hex(sd.sender_data_secret), hex(sd.ciphertext)];
    expect(toHex(await expandSenderDataKey(impl, secret, ciphertext)), 'sender_data.key').toBe(sd.key);
    expect(toHex(await expandSenderDataNonce(impl, secret, ciphertext)), 'sender_data.nonce').toBe(sd.nonce);

    const tree = await createSecretTree(v.leaves.length, hex(v.encryption_secret), impl.kdf);
    for (const [i, steps] of v.leaves.entries()) {
      const node = tree[leafToNodeIndex(toLeafIndex(i))];
      if (node === undefined) throw new Error(`secret tree has no node for leaf ${i}`);
      for (const s of steps) {
        const at = `leaf ${i} generation ${s.generation}`;
        const handshake = await keyAndNonce(node.handshake, s.generation, impl);
        expect(handshake.key, `${at} handshake_key`).toBe(s.handshake_key);
        expect(handshake.nonce, `${at} handshake_nonce`).toBe(s.handshake_nonce);
        const application = await keyAndNonce(node.application, s.generation, impl);
        expect(application.key, `${at} application_key`).toBe(s.application_key);
        expect(application.nonce, `${at} application_nonce`).toBe(s.application_nonce);
      }
    }
  },
  { detail: (v) => `${v.leaves.length} leaves` },
);
