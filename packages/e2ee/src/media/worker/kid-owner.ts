/**
 * Whose frames a KID labels: the inverse of kidFor (group/sframe-epoch-keys.ts),
 *
 *     KID = context << (LEAF_BITS + EPOCH_BITS) | leaf << EPOCH_BITS | (epoch mod 2^EPOCH_BITS)
 *
 * so that a receiver can refuse origin entries a member lists for KIDs of
 * another leaf.
 */
import { EPOCH_BITS, LEAF_BITS, SOURCE_CONTEXT } from '../../group/sframe-epoch-keys.js';
import type { MediaSource } from '../worker-messages.js';

const SOURCE_OF_CONTEXT = new Map<bigint, MediaSource>(Object.entries(SOURCE_CONTEXT).map(([s, c]) => [c, s as MediaSource]));
const LEAF_MASK = (1n << LEAF_BITS) - 1n;

/** The leaf and source a KID belongs to, or null for a KID kidFor never makes. */
export function kidOwner(kid: bigint): { leaf: number; source: MediaSource } | null {
  if (kid < 0n) return null;
  const source = SOURCE_OF_CONTEXT.get(kid >> (LEAF_BITS + EPOCH_BITS));
  return source ? { leaf: Number((kid >> EPOCH_BITS) & LEAF_MASK), source } : null;
}
