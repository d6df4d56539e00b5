/**
 * A value that changes over time and says when it did: the one way a part of
 * the client (the meeting, call media, encryption, chat, recording) shows its
 * state to React. Each change replaces the snapshot, so React's
 * useSyncExternalStore can compare by reference.
 */

export interface ReadableStore<T> {
  getSnapshot: () => T;
  subscribe: (listener: () => void) => () => void;
}

export class Store<T extends object> implements ReadableStore<T> {
  private value: T;
  private readonly listeners = new Set<() => void>();

  constructor(initial: T) {
    this.value = initial;
  }

  getSnapshot = (): T => this.value;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Replaces the snapshot with `next` (nothing happens when it is the same object). */
  set(next: T): void {
    if (next === this.value) return;
    this.value = next;
    for (const listener of [...this.listeners]) listener();
  }

  /** A new snapshot with these fields changed. */
  update(patch: Partial<T>): void {
    this.set({ ...this.value, ...patch });
  }

  /** Forgets every listener (the part is gone). */
  clear(): void {
    this.listeners.clear();
  }
}
