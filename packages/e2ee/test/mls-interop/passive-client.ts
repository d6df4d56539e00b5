/**
 * The MLS "Passive Client Scenarios" check (test-vectors.md), shared by
 * passive-client-welcome.json, passive-client-handling-commit.json and
 * passive-client-random.json: the given private keys belong to the
 * KeyPackage; ts-mls joins from the Welcome (with the ratchet tree and
 * external PSKs given) and then follows every epoch's proposals and Commit,
 * matching each epoch_authenticator. Test support only; not part of the build.
 */
import { joinGroup, makePskIndex, type ClientState } from 'ts-mls/clientState.js';
import type { CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import { decodeMlsMessage } from 'ts-mls/message.js';
import { processPrivateMessage, processPublicMessage } from 'ts-mls/processMessages.js';
import { decodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { bytesToBase64 } from 'ts-mls/util/byteArray.js';
import { expect } from 'vitest';
import { hpkeKeysMatch, signatureKeysMatch } from './key-match.js';
import { hex, toHex } from './load-vectors.js';

export interface PassiveClientVector {
  cipher_suite: number;
  external_psks: { psk_id: string; psk: string }[];
  key_package: string;
  signature_priv: string;
  encryption_priv: string;
  init_priv: string;
  welcome: string;
  ratchet_tree: string | null;
  initial_epoch_authenticator: string;
  epochs: { proposals: string[]; commit: string; epoch_authenticator: string }[];
}

async function handle(state: ClientState, bytes: string, psks: Record<string, Uint8Array>, impl: CiphersuiteImpl): Promise<ClientState> {
  const m = decodeMlsMessage(hex(bytes), 0)?.[0];
  if (m?.wireformat === 'mls_private_message') {
    const res = await processPrivateMessage(state, m.privateMessage, makePskIndex(state, psks), impl);
    if (res.kind !== 'newState') throw new Error('a handshake message was taken for application data');
    return res.newState;
  }
  if (m?.wireformat === 'mls_public_message') {
    return (await processPublicMessage(state, m.publicMessage, makePskIndex(state, psks), impl)).newState;
  }
  throw new Error('not an MLSMessage(PublicMessage or PrivateMessage)');
}

export async function checkPassiveClient(v: PassiveClientVector, impl: CiphersuiteImpl): Promise<void> {
  const kp = decodeMlsMessage(hex(v.key_package), 0)?.[0];
  if (kp?.wireformat !== 'mls_key_package') throw new Error('key_package is not an MLSMessage(KeyPackage)');
  const keyPackage = kp.keyPackage;
  const privateKeys = {
    signaturePrivateKey: hex(v.signature_priv),
    hpkePrivateKey: hex(v.encryption_priv),
    initPrivateKey: hex(v.init_priv),
  };
  const leaf = keyPackage.leafNode;
  expect(await signatureKeysMatch(leaf.signaturePublicKey, privateKeys.signaturePrivateKey, impl), 'signature_priv').toBe(true);
  expect(await hpkeKeysMatch(leaf.hpkePublicKey, privateKeys.hpkePrivateKey, impl.hpke), 'encryption_priv').toBe(true);
  expect(await hpkeKeysMatch(keyPackage.initKey, privateKeys.initPrivateKey, impl.hpke), 'init_priv').toBe(true);

  const w = decodeMlsMessage(hex(v.welcome), 0)?.[0];
  if (w?.wireformat !== 'mls_welcome') throw new Error('welcome is not an MLSMessage(Welcome)');
  let tree;
  if (v.ratchet_tree !== null) {
    tree = decodeRatchetTree(hex(v.ratchet_tree), 0)?.[0];
    if (tree === undefined) throw new Error('ratchet_tree does not decode');
  }
  const psks: Record<string, Uint8Array> = {};
  for (const p of v.external_psks) psks[bytesToBase64(hex(p.psk_id))] = hex(p.psk);

  let state = await joinGroup(w.welcome, keyPackage, privateKeys, makePskIndex(undefined, psks), impl, tree);
  expect(toHex(state.keySchedule.epochAuthenticator), 'initial_epoch_authenticator').toBe(v.initial_epoch_authenticator);

  for (const [n, epoch] of v.epochs.entries()) {
    const before = state.groupContext.epoch;
    for (const p of epoch.proposals) state = await handle(state, p, psks, impl);
    state = await handle(state, epoch.commit, psks, impl);
    expect(state.groupContext.epoch, `epochs[${n}]: the Commit starts a new epoch`).toBe(before + 1n);
    expect(toHex(state.keySchedule.epochAuthenticator), `epochs[${n}].epoch_authenticator`).toBe(epoch.epoch_authenticator);
  }
}

export function passiveClientDetail(v: PassiveClientVector): string {
  const tree = v.ratchet_tree === null ? 'tree in Welcome' : 'tree given';
  const psks = v.external_psks.length > 0 ? `, ${v.external_psks.length} PSKs` : '';
  return `${v.epochs.length} epochs, ${tree}${psks}`;
}
