/**
 * Counts open connections per client address key (see address-key.ts) and
 * says when one more would pass the cap. Entries are removed when their
 * count drops to zero, so the map holds only addresses with open sockets.
 */
export class AddressCounter {
  private readonly open = new Map<string, number>();

  /** `cap` = 0 means no cap. */
  constructor(private readonly cap: number) {}

  /** Counts one more connection for `key`; false (and nothing counted) when that would pass the cap. */
  tryAdd(key: string): boolean {
    const n = this.open.get(key) ?? 0;
    if (this.cap > 0 && n >= this.cap) return false;
    this.open.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = this.open.get(key) ?? 0;
    if (n <= 1) this.open.delete(key);
    else this.open.set(key, n - 1);
  }

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }

  /** Addresses with at least one open connection. */
  get addresses(): number {
    return this.open.size;
  }
}
