/**
 * MLS interop vectors, treekem.json, as test-vectors.md "TreeKEM" asks:
 * - each member's private state (leaf key, path secrets) is consistent with
 *   ratchet_tree;
 * - each UpdatePath is parent-hash valid, merges into a tree with
 *   tree_hash_after, and every other non-blank leaf decrypts the listed path
 *   secret and reaches commit_secret;
 * - a new UpdatePath ts-mls creates from the same sender over ratchet_tree,
 *   its leaf signed with the sender's signature_priv, is decrypted by every
 *   other leaf to the same commit secret as the sender's.
 */
import { applyUpdatePathSecret } from 'ts-mls/createCommit.js';
import { getCiphersuiteNameFromId, type CiphersuiteId, type CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import { deriveSecret } from 'ts-mls/crypto/kdf.js';
import type { GroupContext } from 'ts-mls/groupContext.js';
import { verifyLeafNodeSignature } from 'ts-mls/leafNode.js';
import { verifyParentHashes } from 'ts-mls/parentHash.js';
import { getCommitSecret } from 'ts-mls/pathSecrets.js';
import type { PrivateKeyPath } from 'ts-mls/privateKeyPath.js';
import { decodeRatchetTree, getHpkePublicKey, type RatchetTree } from 'ts-mls/ratchetTree.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { leafToNodeIndex, leafWidth, nodeToLeafIndex, root, toLeafIndex, toNodeIndex } from 'ts-mls/treemath.js';
import { applyUpdatePath, createUpdatePath, decodeUpdatePath, type UpdatePath } from 'ts-mls/updatePath.js';
import { expect } from 'vitest';
import { hpkeKeysMatch } from '../../../test/mls-interop/key-match.js';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface LeafPrivate {
  index: number;
  encryption_priv: string;
  signature_priv: string;
  path_secrets: { node: number; path_secret: string }[];
}

interface UpdatePathCase {
  sender: number;
  update_path: string;
  path_secrets: (string | null)[];
  commit_secret: string;
  tree_hash_after: string;
}

interface TreeKemVector {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  confirmed_transcript_hash: string;
  ratchet_tree: string;
  leaves_private: LeafPrivate[];
  update_paths: UpdatePathCase[];
}

function leafSignatureKey(tree: RatchetTree, leaf: number): Uint8Array {
  const node = tree[leafToNodeIndex(toLeafIndex(leaf))];
  if (node?.nodeType !== 'leaf') throw new Error(`leaf ${leaf} is blank`);
  return node.leaf.signaturePublicKey;
}

function nonBlankLeaves(tree: RatchetTree): number[] {
  const out: number[] = [];
  for (const [i, n] of tree.entries()) if (n?.nodeType === 'leaf') out.push(nodeToLeafIndex(toNodeIndex(i)));
  return out;
}

/**
 * Checks leaf_private[index] against the tree: the leaf's encryption key and
 * the key of every node it holds a path secret for (node secret =
 * DeriveSecret(path_secret, "node"), key pair = DeriveKeyPair(node secret),
 * as ts-mls's toPrivateKeyPath does). Returns the private keys as ts-mls's
 * private key path. signature_priv is checked where it is used, on the new
 * UpdatePath's leaf.
 */
async function privateState(tree: RatchetTree, leaf: LeafPrivate, impl: CiphersuiteImpl): Promise<PrivateKeyPath> {
  const leafNode = tree[leafToNodeIndex(toLeafIndex(leaf.index))];
  if (leafNode?.nodeType !== 'leaf') throw new Error(`leaf ${leaf.index} is blank`);
  const encryptionPriv = hex(leaf.encryption_priv);
  expect(await hpkeKeysMatch(leafNode.leaf.hpkePublicKey, encryptionPriv, impl.hpke), 'encryption_priv').toBe(true);

  const privateKeys: Record<number, Uint8Array> = { [leafToNodeIndex(toLeafIndex(leaf.index))]: encryptionPriv };
  for (const { node, path_secret } of leaf.path_secrets) {
    const treeNode = tree[node];
    if (treeNode === undefined) throw new Error(`leaf ${leaf.index} holds a path secret for blank node ${node}`);
    const pair = await impl.hpke.deriveKeyPair(await deriveSecret(hex(path_secret), 'node', impl.kdf));
    const derived = toHex(await impl.hpke.exportPublicKey(pair.publicKey));
    expect(derived, `leaf ${leaf.index}: key of node ${node}`).toBe(toHex(getHpkePublicKey(treeNode)));
    privateKeys[node] = await impl.hpke.exportPrivateKey(pair.privateKey);
  }
  return { leafIndex: leaf.index, privateKeys };
}

/**
 * ts-mls imports a receiver's private key again for every UpdatePath it
 * decrypts (16 paths per member in an 8-member case). Importing is
 * deterministic, so this file imports each distinct key once, which saves
 * about a sixth of the file's run time; every decryption still runs.
 */
function importingEachKeyOnce(impl: CiphersuiteImpl): CiphersuiteImpl {
  const imported = new Map<string, ReturnType<CiphersuiteImpl['hpke']['importPrivateKey']>>();
  const importPrivateKey = (k: Uint8Array) => {
    let key = imported.get(toHex(k));
    if (key === undefined) {
      key = impl.hpke.importPrivateKey(k);
      imported.set(toHex(k), key);
    }
    return key;
  };
  return { ...impl, hpke: { ...impl.hpke, importPrivateKey } };
}

/** What receiver `me` gets from `path`: the path secret it decrypts and the commit secret it reaches. */
async function receive(
  tree: RatchetTree,
  merged: RatchetTree,
  me: PrivateKeyPath,
  sender: number,
  gc: GroupContext,
  path: UpdatePath,
  impl: CiphersuiteImpl,
): Promise<{ pathSecret: string; commitSecret: string }> {
  const got = await applyUpdatePathSecret(tree, me, toLeafIndex(sender), gc, path, [], impl);
  const commitSecret = await getCommitSecret(merged, got.nodeIndex, got.pathSecret, impl.kdf);
  return { pathSecret: toHex(got.pathSecret), commitSecret: toHex(commitSecret) };
}

describeVectors<TreeKemVector>(
  'treekem',
  async (v, maybeImpl) => {
    const impl = importingEachKeyOnce(requireImpl(maybeImpl));
    const tree = decodeRatchetTree(hex(v.ratchet_tree), 0)?.[0];
    if (tree === undefined) throw new Error('ratchet_tree does not decode');

    // Every non-blank leaf has a private state, and each is consistent with the tree.
    const members = nonBlankLeaves(tree);
    expect(v.leaves_private.map((l) => l.index).sort((a, b) => a - b)).toEqual(members);
    const privates = new Map<number, PrivateKeyPath>();
    for (const leaf of v.leaves_private) privates.set(leaf.index, await privateState(tree, leaf, impl));

    const gc: GroupContext = {
      version: 'mls10',
      cipherSuite: getCiphersuiteNameFromId(v.cipher_suite as CiphersuiteId),
      groupId: hex(v.group_id),
      epoch: BigInt(v.epoch),
      treeHash: await treeHashRoot(tree, impl.hash),
      confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
      extensions: [],
    };

    for (const up of v.update_paths) {
      const i = up.sender;
      const at = `update path from leaf ${i}`;
      const path = decodeUpdatePath(hex(up.update_path), 0)?.[0];
      if (path === undefined) throw new Error(`${at} does not decode`);

      // Merging refuses a path that is not parent-hash valid; the merged tree must be valid as a whole too.
      const merged = await applyUpdatePath(tree, toLeafIndex(i), path, impl.hash);
      expect(await verifyParentHashes(merged, impl.hash), `${at}: parent hashes`).toBe(true);
      const mergedHash = await treeHashRoot(merged, impl.hash);
      expect(toHex(mergedHash), `${at}: tree_hash_after`).toBe(up.tree_hash_after);
      const context = { ...gc, treeHash: mergedHash };

      expect(up.path_secrets[i], `${at}: no path secret for the sender`).toBeNull();
      for (const j of members) {
        if (j === i) continue;
        const got = await receive(tree, merged, privates.get(j)!, i, context, path, impl);
        expect(got.pathSecret, `${at}: path secret of leaf ${j}`).toBe(up.path_secrets[j]);
        expect(got.commitSecret, `${at}: commit secret of leaf ${j}`).toBe(up.commit_secret);
      }

      // A fresh UpdatePath from the same sender, over ratchet_tree.
      const signer = v.leaves_private.find((l) => l.index === i);
      if (signer === undefined) throw new Error(`${at}: no private state for the sender`);
      const [senderTree, fresh, secrets] = await createUpdatePath(tree, toLeafIndex(i), gc, hex(signer.signature_priv), impl);
      const rootSecret = secrets.at(-1);
      expect(rootSecret?.nodeIndex, `${at}: last path secret is the root's`).toBe(root(leafWidth(tree.length)));
      const newCommitSecret = toHex(await deriveSecret(rootSecret!.secret, 'path', impl.kdf));
      // The new leaf is signed with signature_priv and verifies under the leaf's signature key.
      expect(fresh.leafNode.signaturePublicKey).toEqual(leafSignatureKey(tree, i));
      const signed = await verifyLeafNodeSignature(fresh.leafNode, gc.groupId, i, impl.signature);
      expect(signed, `${at}: new leaf node signature`).toBe(true);

      const freshMerged = await applyUpdatePath(tree, toLeafIndex(i), fresh, impl.hash);
      const freshHash = await treeHashRoot(freshMerged, impl.hash);
      expect(toHex(freshHash), `${at}: receivers merge the fresh path as the sender did`).toBe(
        toHex(await treeHashRoot(senderTree, impl.hash)),
      );
      // ts-mls's createUpdatePath encrypts to the next epoch's provisional GroupContext
      // (epoch + 1, tree hash after the path), so the receivers decrypt with that.
      const freshContext = { ...gc, epoch: gc.epoch + 1n, treeHash: freshHash };
      for (const j of members) {
        if (j === i) continue;
        const got = await receive(tree, freshMerged, privates.get(j)!, i, freshContext, fresh, impl);
        expect(got.commitSecret, `${at}: leaf ${j} reaches the fresh path's commit secret`).toBe(newCommitSecret);
      }
    }
  },
  { detail: (v) => `${v.leaves_private.length} members`, timeout: 60_000 },
);
