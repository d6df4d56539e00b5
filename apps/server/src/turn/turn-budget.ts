/**
 * How many TURN credentials one address may be given: a token bucket per
 * address key (IPv4 address, or IPv6 /64: http/address-key.ts) holding
 * `perMinute` credentials and refilling at `perMinute` a minute, shared by
 * joins and ICE restarts. A credential is a key to a relay port on coturn;
 * join tickets cost nothing for an open room, so without this one guest
 * could mint credentials (and with them coturn allocations) by the thousand.
 *
 * Past the budget the join or ICE restart still goes ahead, only without
 * fresh credentials: refusing a join would lock out people who share one
 * address (an office behind NAT) over what is only a relay; a client that
 * needs TURN retries after a few seconds (rejoin backoff) and gets one.
 *
 * Memory is bounded: an address whose bucket is full again is forgotten,
 * and the map is swept whenever it grows past `maxAddresses`.
 */
import { addressKey } from '../http/address-key.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class TurnCredentialBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = () => Date.now(),
    private readonly maxAddresses = 100_000,
  ) {}

  /** Takes one credential from `ip`'s budget; false when none is left this minute. */
  take(ip: string): boolean {
    const key = addressKey(ip);
    const t = this.now();
    const b = this.refilled(this.buckets.get(key), t);
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return false;
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxAddresses) this.sweep(t);
    return true;
  }

  /** Addresses currently tracked (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(b: Bucket | undefined, t: number): Bucket {
    if (!b) return { tokens: this.perMinute, at: t };
    const tokens = Math.min(this.perMinute, b.tokens + ((t - b.at) / 60_000) * this.perMinute);
    return { tokens, at: t };
  }

  private sweep(t: number): void {
    for (const [key, b] of this.buckets) if (this.refilled(b, t).tokens >= this.perMinute) this.buckets.delete(key);
  }
}
