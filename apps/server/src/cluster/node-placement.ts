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
 *
 * Heartbeats lag (2 s): a burst of new meetings would all go to the node
 * that looked lightest at its last heartbeat. Each meeting placed on a node
 * in the last PLACEMENT_WINDOW_MS (by any node: the count is in Redis)
 * weighs on it until its heartbeats show the meeting's participants.
 */

/** How long a placement counts against its node (a heartbeat, and the join it sends there, come within). */
export const PLACEMENT_WINDOW_MS = 5000;
/** CPU points (percent of a core) a freshly placed meeting is assumed to cost until the node's heartbeat shows it. */
export const PLACED_MEETING_CPU = 2;

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
  /** Meetings placed on the node in the last PLACEMENT_WINDOW_MS. */
  placed?: number;
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

const cpuOf = (n: NodeCandidate) => n.cpu + (n.placed ?? 0) * PLACED_MEETING_CPU;
const peersOf = (n: NodeCandidate) => n.peers + (n.placed ?? 0);

/** Lower CPU first, then fewer participants (each counting recent placements), then the id (a stable order). */
const lighter = (a: NodeCandidate, b: NodeCandidate): boolean =>
  cpuOf(a) !== cpuOf(b) ? cpuOf(a) < cpuOf(b) : peersOf(a) !== peersOf(b) ? peersOf(a) < peersOf(b) : a.id < b.id;

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
