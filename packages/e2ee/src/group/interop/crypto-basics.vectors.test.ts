/**
 * MLS interop vectors, crypto-basics.json: RefHash, ExpandWithLabel,
 * DeriveSecret, DeriveTreeSecret, SignWithLabel/VerifyWithLabel and
 * EncryptWithLabel/DecryptWithLabel, as test-vectors.md "Crypto Basics" asks.
 */
import type { CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import { refhash } from 'ts-mls/crypto/hash.js';
import { decryptWithLabel, encryptWithLabel } from 'ts-mls/crypto/hpke.js';
import { deriveSecret, deriveTreeSecret, expandWithLabel } from 'ts-mls/crypto/kdf.js';
import { signWithLabel, verifyWithLabel } from 'ts-mls/crypto/signature.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface CryptoBasicsVector {
  cipher_suite: number;
  ref_hash: { label: string; value: string; out: string };
  expand_with_label: { secret: string; label: string; context: string; length: number; out: string };
  derive_secret: { secret: string; label: string; out: string };
  derive_tree_secret: { secret: string; label: string; generation: number; length: number; out: string };
  sign_with_label: { priv: string; pub: string; content: string; label: string; signature: string };
  encrypt_with_label: {
    priv: string;
    pub: string;
    label: string;
    context: string;
    plaintext: string;
    kem_output: string;
    ciphertext: string;
  };
}

async function checkSignWithLabel(impl: CiphersuiteImpl, o: CryptoBasicsVector['sign_with_label']): Promise<void> {
  const [pub, content] = [hex(o.pub), hex(o.content)];
  // VerifyWithLabel(pub, label, content, signature) == true
  expect(await verifyWithLabel(pub, o.label, content, hex(o.signature), impl.signature)).toBe(true);
  // VerifyWithLabel(pub, label, content, SignWithLabel(priv, label, content)) == true
  const signature = await signWithLabel(hex(o.priv), o.label, content, impl.signature);
  expect(await verifyWithLabel(pub, o.label, content, signature, impl.signature)).toBe(true);
}

async function checkEncryptWithLabel(impl: CiphersuiteImpl, o: CryptoBasicsVector['encrypt_with_label']): Promise<void> {
  const priv = await impl.hpke.importPrivateKey(hex(o.priv));
  const pub = await impl.hpke.importPublicKey(hex(o.pub));
  const context = hex(o.context);
  // DecryptWithLabel(priv, label, context, kem_output, ciphertext) == plaintext
  const given = await decryptWithLabel(priv, o.label, context, hex(o.kem_output), hex(o.ciphertext), impl.hpke);
  expect(toHex(given)).toBe(o.plaintext);
  // kem_output_candidate, ciphertext_candidate = EncryptWithLabel(pub, label, context, plaintext)
  const { enc, ct } = await encryptWithLabel(pub, o.label, context, hex(o.plaintext), impl.hpke);
  // DecryptWithLabel(priv, label, context, kem_output_candidate, ciphertext_candidate) == plaintext
  const ours = await decryptWithLabel(priv, o.label, context, enc, ct, impl.hpke);
  expect(toHex(ours)).toBe(o.plaintext);
}

describeVectors<CryptoBasicsVector>('crypto-basics', async (v, maybeImpl) => {
  const impl = requireImpl(maybeImpl);

  const r = v.ref_hash;
  expect(toHex(await refhash(r.label, hex(r.value), impl.hash)), 'ref_hash').toBe(r.out);

  const e = v.expand_with_label;
  const expanded = await expandWithLabel(hex(e.secret), e.label, hex(e.context), e.length, impl.kdf);
  expect(toHex(expanded), 'expand_with_label').toBe(e.out);

  const d = v.derive_secret;
  expect(toHex(await deriveSecret(hex(d.secret), d.label, impl.kdf)), 'derive_secret').toBe(d.out);

  const t = v.derive_tree_secret;
  const treeSecret = await deriveTreeSecret(hex(t.secret), t.label, t.generation, t.length, impl.kdf);
  expect(toHex(treeSecret), 'derive_tree_secret').toBe(t.out);

  await checkSignWithLabel(impl, v.sign_with_label);
  await checkEncryptWithLabel(impl, v.encrypt_with_label);
});
