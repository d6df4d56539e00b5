import { describe, expect, it } from 'vitest';
import { chooseNode, type NodeCandidate } from './node-placement.js';

function node(id: string, o: Partial<NodeCandidate> = {}): NodeCandidate {
  return { id, alive: true, state: 'serving', version: 'v1', cpu: 0, peers: 0, ...o };
}

describe('chooseNode', () => {
  it('sends everyone of a live room to its owner, even a draining one, while it is alive', () => {
    const nodes = [node('a', { cpu: 90 }), node('b')];
    expect(chooseNode({ nodes, version: 'v1', owner: 'a' })).toEqual({ ok: true, node: 'a' });
    expect(chooseNode({ nodes: [node('a', { state: 'draining' }), node('b')], version: 'v1', owner: 'a' })).toEqual({
      ok: true,
      node: 'a',
    });
    // The owner's heartbeat stopped: nobody is sent there (the room's lease lapses and is claimed afresh).
    expect(chooseNode({ nodes: [node('a', { alive: false }), node('b')], version: 'v1', owner: 'a' })).toEqual({
      ok: false,
      reason: 'owner-unavailable',
    });
    expect(chooseNode({ nodes: [node('b')], version: 'v1', owner: 'gone' })).toEqual({ ok: false, reason: 'owner-unavailable' });
  });

  it('puts a new room on the least-loaded serving node of the same version', () => {
    const nodes = [
      node('a', { cpu: 40 }),
      node('b', { cpu: 10 }),
      node('c', { cpu: 5, state: 'draining' }),
      node('d', { cpu: 1, version: 'v2' }),
    ];
    expect(chooseNode({ nodes, version: 'v1', owner: null })).toEqual({ ok: true, node: 'b' });
    // Equal CPU: fewer participants, then the id.
    expect(chooseNode({ nodes: [node('a', { peers: 9 }), node('b', { peers: 3 })], version: 'v1', owner: null })).toEqual({
      ok: true,
      node: 'b',
    });
    expect(chooseNode({ nodes: [node('b'), node('a')], version: 'v1', owner: null })).toEqual({ ok: true, node: 'a' });
  });

  it('spreads a burst of new meetings that heartbeats do not show yet', () => {
    // Both idle at their last heartbeat: one placement each way, alternating.
    const placed: Record<string, number> = { a: 0, b: 0 };
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const choice = chooseNode({
        nodes: [node('a', { placed: placed['a'] }), node('b', { placed: placed['b'] })],
        version: 'v1',
        owner: null,
      });
      if (!choice.ok) throw new Error('no node');
      picks.push(choice.node);
      placed[choice.node]! += 1;
    }
    expect(picks).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    // A busier node still takes new meetings once the idle one has had enough of them recently.
    const busy = node('a', { cpu: 10 });
    expect(chooseNode({ nodes: [busy, node('b', { placed: 4 })], version: 'v1', owner: null })).toEqual({ ok: true, node: 'b' });
    expect(chooseNode({ nodes: [busy, node('b', { placed: 6 })], version: 'v1', owner: null })).toEqual({ ok: true, node: 'a' });
  });

  it('sends a returning participant back to the node it left when the room has no owner now', () => {
    const nodes = [node('a', { cpu: 50 }), node('b')];
    expect(chooseNode({ nodes, version: 'v1', owner: null, previous: 'a' })).toEqual({ ok: true, node: 'a' });
    expect(chooseNode({ nodes: [node('a', { state: 'draining' }), node('b')], version: 'v1', owner: null, previous: 'a' })).toEqual({
      ok: true,
      node: 'b',
    });
  });

  it('answers no-node when nothing serves', () => {
    expect(chooseNode({ nodes: [], version: 'v1', owner: null })).toEqual({ ok: false, reason: 'no-node' });
    expect(chooseNode({ nodes: [node('a', { alive: false }), node('b', { version: 'v0' })], version: 'v1', owner: null })).toEqual({
      ok: false,
      reason: 'no-node',
    });
  });
});
