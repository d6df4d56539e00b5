/**
 * The first-start setup link (auth/accounts.ts): one token, good for an
 * hour, used once. On one node it lives in this process; in cluster mode
 * in Redis (redis-setup-link-store.ts), so that of several nodes starting
 * with no users only the first offers a link (and prints it), and the link
 * works on whichever node the browser reaches. Stores keep only the token's
 * SHA-256.
 */
export interface SetupLinkStore {
  /** Makes `tokenHash` the setup link for `ttlMs` unless a link is live already (another node's): true if it now is. */
  offer(tokenHash: string, ttlMs: number): Promise<boolean>;
  /**
   * Uses the link up, if `tokenHash` is the live one: the milliseconds it
   * had left ('expired' when it is the right token past its hour, where the
   * store can still tell; 'invalid' otherwise). Of two claims at once, one wins.
   */
  claim(tokenHash: string): Promise<{ leftMs: number } | 'expired' | 'invalid'>;
  /** Gives a claimed link back for the `leftMs` it had (its use failed before any account was made). */
  giveBack(tokenHash: string, leftMs: number): Promise<void>;
  /** Whether a link is live now. */
  live(): Promise<boolean>;
}

/** The setup link in this process. */
export class MemorySetupLinkStore implements SetupLinkStore {
  private link: { hash: string; expiresAt: number } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  offer(tokenHash: string, ttlMs: number): Promise<boolean> {
    if (this.link && this.link.expiresAt > this.now()) return Promise.resolve(this.link.hash === tokenHash);
    this.link = { hash: tokenHash, expiresAt: this.now() + ttlMs };
    return Promise.resolve(true);
  }

  claim(tokenHash: string): Promise<{ leftMs: number } | 'expired' | 'invalid'> {
    const link = this.link;
    if (!link || link.hash !== tokenHash) return Promise.resolve('invalid');
    const leftMs = link.expiresAt - this.now();
    if (leftMs <= 0) return Promise.resolve('expired');
    this.link = null;
    return Promise.resolve({ leftMs });
  }

  giveBack(tokenHash: string, leftMs: number): Promise<void> {
    if (!this.link && leftMs > 0) this.link = { hash: tokenHash, expiresAt: this.now() + leftMs };
    return Promise.resolve();
  }

  live(): Promise<boolean> {
    return Promise.resolve(!!this.link && this.link.expiresAt > this.now());
  }
}
