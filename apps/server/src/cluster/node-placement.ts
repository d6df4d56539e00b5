/**
 * Which node a join ticket sends a participant to: a pure decision over the
 * live nodes, so it is tested without Redis.
 *
 * A live room's signaling has one home: its owner node, which orders
 * membership and the key exchange. While rooms do not yet span nodes, every
 * participant of a live room goes to its owner. A room that is not live yet
 * goes to the least-loaded node that serves (not draining) and runs the same
 * version (Jicofo's rule: never mix versions in one meeting). A participant
 * coming back with a good rejoin pass goes back to the node it left, if that
 * node still serves the room.
 */

export interface NodeCandidate {
  id: string;
  /** Fresh heartbeat (its alive lease holds). */
  alive: boolean;
  state: 'serving' | 'draining';
  /** Bus protocol and media versions: nodes that differ never share a room. */
  version: string;
  /** CPU percent, averaged over the node's workers. */
  cpu: number;
  /** Participants on the node now. */
  peers: number;
}

export interface NodeChoiceInput {
  nodes: readonly NodeCandidate[];
  /** This node's version: a new room goes to a node that can share it. */
  version: string;
  /** The room's owner node, when the room is live. */
  owner: string | null;
  /** The node the participant was on before, when it brings a good rejoin pass. */
  previous?: string | null;
}

export type NodeChoice = { ok: true; node: string } | { ok: false; reason: 'no-node' | 'owner-unavailable' };

const serving = (n: NodeCandidate) => n.alive && n.state === 'serving';

/** Lower CPU first, then fewer participants, then the id (a stable order). */
const lighter = (a: NodeCandidate, b: NodeCandidate): boolean =>
  a.cpu !== b.cpu ? a.cpu < b.cpu : a.peers !== b.peers ? a.peers < b.peers : a.id < b.id;

export function chooseNode(input: NodeChoiceInput): NodeChoice {
  const { nodes, owner } = input;
  if (owner !== null) {
    const home = nodes.find((n) => n.id === owner);
    // A live room is served by its owner, draining or not (its members are there), as long as it is alive.
    // (Once its lease lapses, ownership is claimed afresh and this answer changes.)
    if (home?.alive) return { ok: true, node: home.id };
    return { ok: false, reason: 'owner-unavailable' };
  }
  const previous = input.previous ? nodes.find((n) => n.id === input.previous) : undefined;
  if (previous && serving(previous) && previous.version === input.version) return { ok: true, node: previous.id };
  let best: NodeCandidate | null = null;
  for (const n of nodes) {
    if (!serving(n) || n.version !== input.version) continue;
    if (!best || lighter(n, best)) best = n;
  }
  return best ? { ok: true, node: best.id } : { ok: false, reason: 'no-node' };
}
