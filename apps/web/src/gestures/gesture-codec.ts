/**
 * Raised hands and reactions as they travel: a small JSON object, sealed by
 * the meeting's MLS group as a signal (signed by the sender's leaf, numbered,
 * relayed by the server as opaque bytes). The group says who sent it; this
 * says what it means, and refuses anything else.
 *
 * - `hand`: the sender's hand is up (since `at`, ms since the epoch, by the
 *   sender's clock: the order hands were raised in) or down.
 * - `reaction`: one of REACTIONS, shown over the sender's tile for a moment.
 * - `lower`: a host lowers someone's hand.
 */

/** The reactions people can send, with the words a screen reader says. */
export const REACTIONS = [
  { emoji: '👍', label: 'Thumbs up' },
  { emoji: '👏', label: 'Applause' },
  { emoji: '😂', label: 'Laughing' },
  { emoji: '❤️', label: 'Heart' },
  { emoji: '🎉', label: 'Celebrate' },
  { emoji: '😮', label: 'Surprised' },
] as const;

export type ReactionEmoji = (typeof REACTIONS)[number]['emoji'];

export type Gesture =
  { t: 'hand'; up: true; at: number } | { t: 'hand'; up: false } | { t: 'reaction'; emoji: ReactionEmoji } | { t: 'lower'; peerId: string };

const isReaction = (v: unknown): v is ReactionEmoji => REACTIONS.some((r) => r.emoji === v);

export function encodeGesture(g: Gesture): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(g));
}

/** The gesture in `bytes`, or null for anything that is not exactly one. */
export function decodeGesture(bytes: Uint8Array): Gesture | null {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  if (o['t'] === 'hand' && o['up'] === true && keys === 'at,t,up') {
    const at = o['at'];
    return typeof at === 'number' && Number.isSafeInteger(at) && at > 0 ? { t: 'hand', up: true, at } : null;
  }
  if (o['t'] === 'hand' && o['up'] === false && keys === 't,up') return { t: 'hand', up: false };
  if (o['t'] === 'reaction' && keys === 'emoji,t') return isReaction(o['emoji']) ? { t: 'reaction', emoji: o['emoji'] } : null;
  if (o['t'] === 'lower' && keys === 'peerId,t') {
    const peerId = o['peerId'];
    return typeof peerId === 'string' && peerId.length > 0 && peerId.length <= 100 ? { t: 'lower', peerId } : null;
  }
  return null;
}
