import { describe, expect, it } from 'vitest';
import { TurnCredentialBudget } from './turn-budget.js';

describe('TurnCredentialBudget', () => {
  it('gives an address its budget a minute, refilling over the minute', () => {
    let now = 0;
    const budget = new TurnCredentialBudget(6, () => now);
    for (let i = 0; i < 6; i++) expect(budget.take('203.0.113.9')).toBe(true);
    expect(budget.take('203.0.113.9')).toBe(false);
    // Another address has its own.
    expect(budget.take('198.51.100.1')).toBe(true);
    now += 10_000; // one credential back (6 a minute)
    expect(budget.take('203.0.113.9')).toBe(true);
    expect(budget.take('203.0.113.9')).toBe(false);
    now += 60_000;
    for (let i = 0; i < 6; i++) expect(budget.take('203.0.113.9')).toBe(true);
    expect(budget.take('203.0.113.9')).toBe(false);
  });

  it('counts a whole IPv6 /64 (and an IPv4-mapped address as its IPv4) as one address', () => {
    const budget = new TurnCredentialBudget(2, () => 0);
    expect(budget.take('2001:db8:1:2::1')).toBe(true);
    expect(budget.take('2001:db8:1:2:ffff::9')).toBe(true);
    expect(budget.take('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(false);
    expect(budget.take('2001:db8:1:3::1')).toBe(true);
    expect(budget.take('192.0.2.7')).toBe(true);
    expect(budget.take('::ffff:192.0.2.7')).toBe(true);
    expect(budget.take('192.0.2.7')).toBe(false);
  });

  it('forgets addresses whose budget is whole again once it tracks too many', () => {
    let now = 0;
    const budget = new TurnCredentialBudget(6, () => now, 10);
    for (let i = 0; i < 10; i++) budget.take(`192.0.2.${i}`);
    expect(budget.size).toBe(10);
    now += 60_000;
    budget.take('192.0.2.200');
    expect(budget.size).toBe(1);
  });
});
