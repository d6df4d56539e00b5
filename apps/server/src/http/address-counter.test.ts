import { describe, expect, it } from 'vitest';
import { AddressCounter } from './address-counter.js';

describe('AddressCounter', () => {
  it('counts per key up to the cap and frees a place on release', () => {
    const c = new AddressCounter(2);
    expect(c.tryAdd('a')).toBe(true);
    expect(c.tryAdd('a')).toBe(true);
    expect(c.tryAdd('a')).toBe(false);
    expect(c.tryAdd('b')).toBe(true);
    expect(c.count('a')).toBe(2);
    c.release('a');
    expect(c.tryAdd('a')).toBe(true);
  });

  it('forgets an address once its last connection is released', () => {
    const c = new AddressCounter(5);
    c.tryAdd('a');
    c.release('a');
    c.release('a');
    expect(c.addresses).toBe(0);
    expect(c.count('a')).toBe(0);
  });

  it('has no cap at 0', () => {
    const c = new AddressCounter(0);
    for (let i = 0; i < 1000; i++) expect(c.tryAdd('a')).toBe(true);
  });
});
