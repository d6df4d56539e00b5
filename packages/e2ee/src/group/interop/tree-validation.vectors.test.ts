/**
 * MLS interop vectors, tree-validation.json, as test-vectors.md "Tree
 * Validation" asks: the resolution and the tree hash of every node, the
 * parent hashes of the whole tree (as when joining), and the signature of
 * every leaf with group_id as context.
 */
import { verifyLeafNodeSignature } from 'ts-mls/leafNode.js';
import { verifyParentHashes } from 'ts-mls/parentHash.js';
import { decodeRatchetTree, resolution } from 'ts-mls/ratchetTree.js';
import { treeHash } from 'ts-mls/treeHash.js';
import { nodeToLeafIndex, toNodeIndex } from 'ts-mls/treemath.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface TreeValidationVector {
  cipher_suite: number;
  tree: string;
  group_id: string;
  resolutions: number[][];
  tree_hashes: string[];
}

describeVectors<TreeValidationVector>(
  'tree-validation',
  async (v, maybeImpl) => {
    const impl = requireImpl(maybeImpl);
    const tree = decodeRatchetTree(hex(v.tree), 0)?.[0];
    if (tree === undefined) throw new Error('tree does not decode');
    expect(v.resolutions).toHaveLength(tree.length);
    expect(v.tree_hashes).toHaveLength(tree.length);

    for (const [i, want] of v.resolutions.entries()) {
      expect(resolution(tree, toNodeIndex(i)), `resolution of node ${i}`).toEqual(want);
    }
    for (const [i, want] of v.tree_hashes.entries()) {
      expect(toHex(await treeHash(tree, toNodeIndex(i), impl.hash)), `tree hash of node ${i}`).toBe(want);
    }
    expect(await verifyParentHashes(tree, impl.hash), 'parent hashes').toBe(true);

    const groupId = hex(v.group_id);
    let leaves = 0;
    for (const [i, node] of tree.entries()) {
      if (node?.nodeType !== 'leaf') continue;
      const leafIndex = nodeToLeafIndex(toNodeIndex(i));
      const ok = await verifyLeafNodeSignature(node.leaf, groupId, leafIndex, impl.signature);
      expect(ok, `signature of leaf ${leafIndex}`).toBe(true);
      leaves++;
    }
    expect(leaves).toBeGreaterThan(0);
  },
  { detail: (v) => `${v.tree_hashes.length} nodes` },
);
