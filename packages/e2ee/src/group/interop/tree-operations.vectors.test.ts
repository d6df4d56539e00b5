/**
 * MLS interop vectors, tree-operations.json, as test-vectors.md "Tree
 * Operations" asks: the tree hash before, the tree after applying an Add,
 * Update or Remove from proposal_sender (serialized and compared), and its
 * tree hash.
 */
import { decodeProposal, type Proposal } from 'ts-mls/proposal.js';
import { addLeafNode, decodeRatchetTree, encodeRatchetTree, removeLeafNode, updateLeafNode, type RatchetTree } from 'ts-mls/ratchetTree.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { toLeafIndex } from 'ts-mls/treemath.js';
import { expect } from 'vitest';
import { hex, toHex } from '../../../test/mls-interop/load-vectors.js';
import { describeVectors, requireImpl } from '../../../test/mls-interop/vector-suite.js';

interface TreeOperationsVector {
  cipher_suite: number;
  tree_before: string;
  proposal: string;
  proposal_sender: number;
  tree_hash_before: string;
  tree_after: string;
  tree_hash_after: string;
}

function apply(tree: RatchetTree, p: Proposal, sender: number): RatchetTree {
  switch (p.proposalType) {
    case 'add':
      return addLeafNode(tree, p.add.keyPackage.leafNode)[0];
    case 'update':
      return updateLeafNode(tree, p.update.leafNode, toLeafIndex(sender));
    case 'remove':
      return removeLeafNode(tree, toLeafIndex(p.remove.removed));
    default:
      throw new Error(`tree-operations has no ${String(p.proposalType)} proposals`);
  }
}

function proposalType(v: TreeOperationsVector): string {
  return String(decodeProposal(hex(v.proposal), 0)?.[0].proposalType ?? 'undecodable');
}

describeVectors<TreeOperationsVector>(
  'tree-operations',
  async (v, maybeImpl) => {
    const impl = requireImpl(maybeImpl);
    const before = decodeRatchetTree(hex(v.tree_before), 0)?.[0];
    if (before === undefined) throw new Error('tree_before does not decode');
    expect(toHex(await treeHashRoot(before, impl.hash)), 'tree_hash_before').toBe(v.tree_hash_before);

    const proposal = decodeProposal(hex(v.proposal), 0)?.[0];
    if (proposal === undefined) throw new Error('proposal does not decode');
    const after = apply(before, proposal, v.proposal_sender);
    expect(toHex(encodeRatchetTree(after)), 'tree_after').toBe(v.tree_after);
    expect(toHex(await treeHashRoot(after, impl.hash)), 'tree_hash_after').toBe(v.tree_hash_after);
  },
  { detail: (v) => `${proposalType(v)} by leaf ${v.proposal_sender}` },
);
