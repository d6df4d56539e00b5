/**
 * A hashed timer wheel: thousands of streams, each with its next due time,
 * driven by one interval timer instead of one timer per packet. `drain`
 * hands out everything due by a given time, earliest slot first (within a
 * slot, in the order scheduled), including
 * items scheduled while draining if they too are due.
 */
export class TimerWheel<T> {
  private readonly slots: { at: number; item: T }[][];
  /** Absolute index of the next slot to drain. */
  private cursor: number;
  private count = 0;

  constructor(
    private readonly slotMs: number,
    private readonly slotCount: number,
    startMs: number,
  ) {
    if (!(slotMs > 0) || !Number.isInteger(slotCount) || slotCount < 2) throw new RangeError('bad wheel geometry');
    this.slots = Array.from({ length: slotCount }, () => []);
    this.cursor = Math.floor(startMs / slotMs);
  }

  /** Items waiting. */
  get size(): number {
    return this.count;
  }

  /** The furthest ahead of the wheel's position an item may be scheduled. */
  get horizonMs(): number {
    return (this.slotCount - 1) * this.slotMs;
  }

  /** Schedules `item` at `atMs`; an item already due goes into the next slot drained. */
  schedule(atMs: number, item: T): void {
    const index = Math.max(this.cursor, Math.floor(atMs / this.slotMs));
    if (index - this.cursor >= this.slotCount) throw new RangeError(`${atMs} ms is beyond the wheel's horizon`);
    this.slots[index % this.slotCount]!.push({ at: atMs, item });
    this.count += 1;
  }

  /** Items due by `nowMs` (in slot order); visit may schedule more. */
  drain(nowMs: number, visit: (item: T, atMs: number) => void): void {
    const last = Math.floor(nowMs / this.slotMs);
    while (this.cursor <= last) {
      const i = this.cursor % this.slotCount;
      for (;;) {
        const due = this.slots[i]!;
        if (due.length === 0) break;
        this.slots[i] = [];
        this.count -= due.length;
        for (const { at, item } of due) visit(item, at);
      }
      this.cursor += 1;
    }
  }

  /** Items due by `nowMs` that are still waiting (a sender that keeps up has none left after a drain). */
  dueBy(nowMs: number): number {
    let n = 0;
    const last = Math.min(Math.floor(nowMs / this.slotMs), this.cursor + this.slotCount - 1);
    for (let c = this.cursor; c <= last; c++) for (const e of this.slots[c % this.slotCount]!) if (e.at <= nowMs) n += 1;
    return n;
  }
}
