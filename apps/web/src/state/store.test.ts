import { describe, expect, it, vi } from 'vitest';
import { Store } from './store.js';

describe('Store', () => {
  it('replaces the snapshot on every change and tells each listener', () => {
    const store = new Store({ a: 1, b: 'x' });
    const first = store.getSnapshot();
    const listener = vi.fn();
    store.subscribe(listener);
    store.update({ a: 2 });
    expect(store.getSnapshot()).toEqual({ a: 2, b: 'x' });
    expect(store.getSnapshot()).not.toBe(first);
    expect(first).toEqual({ a: 1, b: 'x' });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('says nothing when set to the same snapshot', () => {
    const store = new Store({ a: 1 });
    const listener = vi.fn();
    store.subscribe(listener);
    store.set(store.getSnapshot());
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops telling a listener once it unsubscribed, or once cleared', () => {
    const store = new Store({ a: 1 });
    const gone = vi.fn();
    const kept = vi.fn();
    const off = store.subscribe(gone);
    store.subscribe(kept);
    off();
    store.update({ a: 2 });
    expect(gone).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
    store.clear();
    store.update({ a: 3 });
    expect(kept).toHaveBeenCalledTimes(1);
  });

  it('lets a listener unsubscribe itself while being told', () => {
    const store = new Store({ a: 1 });
    const calls: string[] = [];
    const off = store.subscribe(() => {
      calls.push('first');
      off();
    });
    store.subscribe(() => calls.push('second'));
    store.update({ a: 2 });
    store.update({ a: 3 });
    expect(calls).toEqual(['first', 'second', 'second']);
  });
});
