/**
 * MLS interop vectors, welcome.json, as test-vectors.md "Welcome" asks: find
 * the Welcome's entry for the KeyPackage, decrypt its GroupSecrets with
 * init_priv, decrypt the GroupInfo, verify its signature with signer_pub, and
 * recompute its confirmation tag from the joiner_secret with no PSKs.
 */
import { verifyGroupInfoConfirmationTag, verifyGroupInfoSignature } from 'ts-mls/groupInfo.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { decodeMlsMessage } from 'ts-mls/message.js';
import { decryptGroupInfo, decryptGroupSecrets } from 'ts-mls/welcome.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface WelcomeVector {
  cipher_suite: number;
  init_priv: string;
  signer_pub: string;
  key_package: string;
  welcome: string;
}

describeVectors<WelcomeVector>('welcome', async (v, maybeImpl) => {
  const impl = requireImpl(maybeImpl);
  const w = decodeMlsMessage(hex(v.welcome), 0)?.[0];
  if (w?.wireformat !== 'mls_welcome') throw new Error('welcome is not an MLSMessage(Welcome)');
  const kp = decodeMlsMessage(hex(v.key_package), 0)?.[0];
  if (kp?.wireformat !== 'mls_key_package') throw new Error('key_package is not an MLSMessage(KeyPackage)');
  const welcome = w.welcome;

  const ref = await makeKeyPackageRef(kp.keyPackage, impl.hash);
  const entries = welcome.secrets.filter((s) => toHex(s.newMember) === toHex(ref));
  expect(entries, 'one welcome.secrets entry for key_package').toHaveLength(1);

  const initKey = await impl.hpke.importPrivateKey(hex(v.init_priv));
  const groupSecrets = await decryptGroupSecrets(initKey, ref, welcome, impl.hpke);
  if (groupSecrets === undefined) throw new Error('GroupSecrets do not decode');
  const noPsks = new Uint8Array(impl.kdf.size);
  const groupInfo = await decryptGroupInfo(welcome, groupSecrets.joinerSecret, noPsks, impl);
  if (groupInfo === undefined) throw new Error('GroupInfo does not decode');

  expect(await verifyGroupInfoSignature(groupInfo, hex(v.signer_pub), impl.signature), 'signature').toBe(true);
  const tagOk = await verifyGroupInfoConfirmationTag(groupInfo, groupSecrets.joinerSecret, noPsks, impl);
  expect(tagOk, 'confirmation_tag').toBe(true);
});
