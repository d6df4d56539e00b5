/**
 * Raised hands and reactions of one person in one meeting. What they do is
 * sent to the others as signals of the meeting's MLS group (end-to-end
 * encrypted and signed, like chat; the server relays opaque bytes under a
 * rate limit); what the others do comes back the same way, and the group
 * says who sent it. Its store holds whose hands are up (and since when, for
 * the order they were raised in) and the reactions showing now.
 *
 * Someone who joins later learns whose hands are up: each member whose hand
 * is up says so again when the group gains members (and when it enters the
 * group itself, after a rejoin).
 */
import { Store } from '../state/store.js';
import { decodeGesture, encodeGesture, type Gesture, type ReactionEmoji } from './gesture-codec.js';

/** What gestures need of end-to-end encryption (E2eeSession). */
export interface GestureCrypto {
  /** Seals a signal for the group and relays it; false while we are not in the group. */
  sendSignal(body: Uint8Array): Promise<boolean>;
  /** Told of every signal a member sent (`from`: the member the group says signed it). */
  onSignal(listener: (from: string, body: Uint8Array) => void): () => void;
  /** Told when the group's members change: who joined (`self`: we entered it ourselves) and who left. */
  onMembersChanged(listener: (change: { added: string[]; removed: string[]; self: boolean }) => void): () => void;
}

export interface FloatingReaction {
  id: number;
  /** Who sent it; null: us. */
  peerId: string | null;
  emoji: ReactionEmoji;
}

export interface GestureView {
  /** Others' raised hands: peer id → when it went up (their clock). */
  hands: Record<string, number>;
  /** When our own hand went up, or null. */
  ownHand: number | null;
  /** Reactions showing now, oldest first. */
  reactions: FloatingReaction[];
}

export const idleGestures: GestureView = { hands: {}, ownHand: null, reactions: [] };

/** How long a reaction shows. */
export const REACTION_MS = 4000;
/** At most one reaction of ours a second: the relay's limit is shared with the frames' origin batches. */
export const REACTION_GAP_MS = 1000;

export interface GestureSessionOptions {
  crypto: GestureCrypto;
  /** Whether the server says `peerId` is a host (only a host may lower someone else's hand). */
  isHost: (peerId: string) => boolean;
  /** Our own peer id on the current connection. */
  selfId: () => string | null;
  now?: () => number;
}

export class GestureSession {
  readonly store = new Store<GestureView>(idleGestures);
  private readonly off: Array<() => void>;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private nextId = 1;
  private lastReaction = -Infinity;
  private disposed = false;

  constructor(private readonly o: GestureSessionOptions) {
    this.off = [
      o.crypto.onSignal((from, body) => this.receive(from, body)),
      o.crypto.onMembersChanged(({ added, removed }) => {
        if (removed.length > 0) {
          const hands = { ...this.view.hands };
          for (const peerId of removed) delete hands[peerId];
          this.store.update({ hands });
        }
        // A newcomer (or the group we have just entered) learns that our hand is up.
        const at = this.view.ownHand;
        if (added.length > 0 && at !== null) this.send({ t: 'hand', up: true, at });
      }),
    ];
  }

  private get view(): GestureView {
    return this.store.getSnapshot();
  }

  private get now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Raises our hand, or lowers it. */
  toggleHand(): void {
    if (this.disposed) return;
    if (this.view.ownHand === null) {
      const at = this.now;
      this.store.update({ ownHand: at });
      this.send({ t: 'hand', up: true, at });
    } else {
      this.store.update({ ownHand: null });
      this.send({ t: 'hand', up: false });
    }
  }

  /** A host lowers someone's hand (everyone's client drops it; theirs too). */
  lowerHand(peerId: string): void {
    if (this.disposed) return;
    const hands = { ...this.view.hands };
    delete hands[peerId];
    this.store.update({ hands });
    this.send({ t: 'lower', peerId });
  }

  /** Sends a reaction (shown over our tile too); false when it comes too soon after the last one. */
  react(emoji: ReactionEmoji): boolean {
    if (this.disposed || this.now - this.lastReaction < REACTION_GAP_MS) return false;
    this.lastReaction = this.now;
    this.float(null, emoji);
    this.send({ t: 'reaction', emoji });
    return true;
  }

  dispose(): void {
    this.disposed = true;
    for (const off of this.off) off();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.store.clear();
  }

  private send(g: Gesture): void {
    this.o.crypto.sendSignal(encodeGesture(g)).catch((err: unknown) => console.warn('conclave gestures:', err));
  }

  private receive(from: string, body: Uint8Array): void {
    const g = decodeGesture(body);
    if (!g || this.disposed) return;
    if (g.t === 'hand') {
      const hands = { ...this.view.hands };
      if (g.up) hands[from] = g.at;
      else delete hands[from];
      this.store.update({ hands });
    } else if (g.t === 'reaction') {
      this.float(from, g.emoji);
    } else if (this.o.isHost(from)) {
      if (g.peerId === this.o.selfId()) this.store.update({ ownHand: null });
      const hands = { ...this.view.hands };
      delete hands[g.peerId];
      this.store.update({ hands });
    }
  }

  private float(peerId: string | null, emoji: ReactionEmoji): void {
    const id = this.nextId++;
    this.store.update({ reactions: [...this.view.reactions, { id, peerId, emoji }] });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.store.update({ reactions: this.view.reactions.filter((r) => r.id !== id) });
    }, REACTION_MS);
    this.timers.add(timer);
  }
}

/** Raised hands in the order they went up: ours (under `selfId`) among the others'. */
export function handsInOrder(view: GestureView, selfId: string | null): Array<{ peerId: string; at: number }> {
  const all = Object.entries(view.hands).map(([peerId, at]) => ({ peerId, at }));
  if (view.ownHand !== null && selfId !== null) all.push({ peerId: selfId, at: view.ownHand });
  return all.sort((a, b) => a.at - b.at || a.peerId.localeCompare(b.peerId));
}
