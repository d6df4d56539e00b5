/**
 * MLS interop vectors, tree-math.json: node count, root, left, right, parent
 * and sibling of every node, as test-vectors.md "Tree Math" asks. A null in
 * the vector (no such node) must be refused by ts-mls, not answered.
 */
import { InternalError } from 'ts-mls/mlsError.js';
import { left, nodeWidth, parent, right, root, sibling, toNodeIndex, type NodeIndex } from 'ts-mls/treemath.js';
import { expect } from 'vitest';
import { describeVectors } from '../../../test/mls-interop/vector-suite.js';

interface TreeMathVector {
  n_leaves: number;
  n_nodes: number;
  root: number;
  left: (number | null)[];
  right: (number | null)[];
  parent: (number | null)[];
  sibling: (number | null)[];
}

function expectEach(expected: (number | null)[], f: (i: NodeIndex) => number, what: string): void {
  for (const [i, want] of expected.entries()) {
    const got = () => f(toNodeIndex(i));
    if (want === null) expect(got, `${what}(${i}) has none`).toThrow(InternalError);
    else expect(got(), `${what}(${i})`).toBe(want);
  }
}

describeVectors<TreeMathVector>(
  'tree-math',
  (v) => {
    expect(nodeWidth(v.n_leaves)).toBe(v.n_nodes);
    expect(root(v.n_leaves)).toBe(v.root);
    for (const list of [v.left, v.right, v.parent, v.sibling]) expect(list).toHaveLength(v.n_nodes);
    expectEach(v.left, (i) => left(i), 'left');
    expectEach(v.right, (i) => right(i), 'right');
    expectEach(v.parent, (i) => parent(i, v.n_leaves), 'parent');
    expectEach(v.sibling, (i) => sibling(i, v.n_leaves), 'sibling');
  },
  { detail: (v) => `n_leaves=${v.n_leaves}` },
);
