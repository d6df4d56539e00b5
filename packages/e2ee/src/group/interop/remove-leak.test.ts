/**
 * Regression test for ts-mls 1.6.2 leaking a new epoch to the member it
 * removes (fixed upstream in PR #436, "Fix needsUpdatePath off by one bug"):
 * a Commit with a single Remove went out without an UpdatePath, so its commit
 * secret was all zeros and the removed member, who still holds the old
 * init_secret, could derive the new epoch's secrets; and a removed member
 * processing that Commit got the new epoch's keys outright.
 *
 * A, B and C share a group (MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519); A
 * commits Remove(C). A and B must then share the new epoch's SFrame exporter
 * value (RFC 9605 §5.2: MLS-Exporter("SFrame 1.0 Base Key", "", 32)), and C
 * must not get it: not from its old state, not by processing the Commit, and
 * not by deriving the epoch with an all-zero commit secret. The last attack is
 * first shown to work against a Commit that rightly has no UpdatePath (an
 * Add), so that it would catch a Remove sent without one.
 */
import {
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackage,
  getCiphersuiteImpl,
  joinGroup,
  makePskIndex,
  mlsExporter,
  processPrivateMessage,
  type ClientState,
  type MLSMessage,
} from 'ts-mls';
import { getCiphersuiteFromName, type CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import type { GroupContext } from 'ts-mls/groupContext.js';
import { initializeEpoch } from 'ts-mls/keySchedule.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../test/mls-interop/load-vectors.js';

const SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';
const LABEL = 'SFrame 1.0 Base Key';
const LENGTH = 32;

async function sframeExport(state: ClientState, impl: CiphersuiteImpl): Promise<string> {
  return toHex(await mlsExporter(state.keySchedule.exporterSecret, LABEL, new Uint8Array(), LENGTH, impl));
}

/** What a former member can derive for `next` from an init_secret it held, if the commit secret is all zeros. */
async function exportWithZeroCommitSecret(initSecret: Uint8Array, next: GroupContext, impl: CiphersuiteImpl): Promise<string> {
  const zeros = new Uint8Array(impl.kdf.size);
  const { keySchedule } = await initializeEpoch(initSecret, zeros, next, zeros, impl.kdf);
  return toHex(await mlsExporter(keySchedule.exporterSecret, LABEL, new Uint8Array(), LENGTH, impl));
}

async function member(name: string, impl: CiphersuiteImpl) {
  const credential = { credentialType: 'basic' as const, identity: new TextEncoder().encode(name) };
  return generateKeyPackage(credential, defaultCapabilities(), defaultLifetime, [], impl);
}

function privateMessage(m: MLSMessage) {
  if (m.wireformat !== 'mls_private_message') throw new Error(`expected a PrivateMessage, got ${m.wireformat}`);
  return m.privateMessage;
}

async function receive(state: ClientState, commit: MLSMessage, impl: CiphersuiteImpl): Promise<ClientState> {
  const res = await processPrivateMessage(state, privateMessage(commit), makePskIndex(state, {}), impl);
  if (res.kind !== 'newState') throw new Error('a Commit was taken for application data');
  return res.newState;
}

describe('ts-mls: a removed member cannot compute the next epoch (upstream PR #436)', () => {
  it('A removes C: A and B share the new SFrame exporter value, C cannot get it', async () => {
    const impl = await getCiphersuiteImpl(getCiphersuiteFromName(SUITE));
    const [a, b, c] = [await member('A', impl), await member('B', impl), await member('C', impl)];
    const groupId = new TextEncoder().encode('remove-leak regression');

    // A alone, then A adds B, then A adds C: Add-only Commits carry no UpdatePath.
    const a0 = await createGroup(groupId, a.publicPackage, a.privatePackage, [], impl);
    const addB = await createCommit(
      { state: a0, cipherSuite: impl },
      { extraProposals: [{ proposalType: 'add', add: { keyPackage: b.publicPackage } }], ratchetTreeExtension: true },
    );
    const a1 = addB.newState;
    if (addB.welcome === undefined) throw new Error('adding B made no Welcome');
    const b1 = await joinGroup(addB.welcome, b.publicPackage, b.privatePackage, emptyPskIndex, impl);

    const addC = await createCommit(
      { state: a1, cipherSuite: impl },
      { extraProposals: [{ proposalType: 'add', add: { keyPackage: c.publicPackage } }], ratchetTreeExtension: true },
    );
    const a2 = addC.newState;
    const bInitSecret1 = b1.keySchedule.initSecret.slice();
    const b2 = await receive(b1, addC.commit, impl);
    if (addC.welcome === undefined) throw new Error('adding C made no Welcome');
    const c2 = await joinGroup(addC.welcome, c.publicPackage, c.privatePackage, emptyPskIndex, impl);

    const epoch2 = await sframeExport(a2, impl);
    expect(await sframeExport(b2, impl)).toBe(epoch2);
    expect(await sframeExport(c2, impl)).toBe(epoch2);
    // The attack works on a Commit without an UpdatePath: B's old init_secret and
    // a zero commit secret give the epoch that adding C started.
    expect(await exportWithZeroCommitSecret(bInitSecret1, b2.groupContext, impl)).toBe(epoch2);

    // A removes C.
    const cLeaf = c2.privatePath.leafIndex;
    const remove = await createCommit(
      { state: a2, cipherSuite: impl },
      { extraProposals: [{ proposalType: 'remove', remove: { removed: cLeaf } }] },
    );
    const a3 = remove.newState;
    const cInitSecret2 = c2.keySchedule.initSecret.slice();
    const b3 = await receive(b2, remove.commit, impl);
    expect(a3.groupContext.epoch).toBe(3n);
    expect(b3.groupContext.epoch).toBe(3n);

    const epoch3 = await sframeExport(a3, impl);
    expect(await sframeExport(b3, impl), 'A and B share the new epoch').toBe(epoch3);
    expect(epoch3).not.toBe(epoch2);

    // C's old state does not give it.
    expect(await sframeExport(c2, impl)).not.toBe(epoch3);
    // Nor does C processing the Commit (refusing to process it is as good).
    let cAfter: ClientState = c2;
    try {
      cAfter = await receive(c2, remove.commit, impl);
    } catch {
      // C keeps its old state.
    }
    expect(cAfter.groupContext.epoch, 'C does not enter the new epoch').toBe(2n);
    expect(await sframeExport(cAfter, impl)).not.toBe(epoch3);
    // Nor does deriving the new epoch from C's old init_secret with an all-zero commit secret.
    expect(await exportWithZeroCommitSecret(cInitSecret2, b3.groupContext, impl)).not.toBe(epoch3);
  });
});
