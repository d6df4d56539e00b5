import { describe, expect, it } from 'vitest';
import { TileViewBook } from './tile-view-book.js';

describe('TileViewBook', () => {
  it('sends a tile once, then only when its size or visibility changes', () => {
    const book = new TileViewBook();
    book.update('c1', { width: 640.4, height: 359.6 });
    expect(book.takeChanges()).toEqual([{ consumerId: 'c1', width: 640, height: 360, visible: true }]);
    expect(book.takeChanges()).toEqual([]);
    book.update('c1', { width: 640.2 }); // rounds to the same pixel: nothing new
    expect(book.takeChanges()).toEqual([]);
    book.update('c1', { onScreen: false });
    expect(book.takeChanges()).toEqual([{ consumerId: 'c1', width: 640, height: 360, visible: false }]);
  });

  it('counts every tile unseen while the page is hidden, unless told to keep them visible', () => {
    const book = new TileViewBook();
    book.update('a', { width: 100, height: 50 });
    book.update('b', { width: 200, height: 100, onScreen: false });
    book.takeChanges();
    book.setPageHidden(true);
    expect(book.takeChanges().map((v) => [v.consumerId, v.visible])).toEqual([['a', false]]);
    book.setKeepVisible(true);
    expect(book.takeChanges().map((v) => [v.consumerId, v.visible])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    book.setKeepVisible(false);
    book.setPageHidden(false);
    expect(book.takeChanges().map((v) => [v.consumerId, v.visible])).toEqual([['b', false]]);
  });

  it('forgets removed tiles, and sends a tile that comes back', () => {
    const book = new TileViewBook();
    book.update('a', { width: 100, height: 50 });
    book.takeChanges();
    book.remove('a');
    expect(book.takeChanges()).toEqual([]);
    book.update('a', { width: 100, height: 50 });
    expect(book.takeChanges()).toHaveLength(1);
  });
});
