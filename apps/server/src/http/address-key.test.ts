import { describe, expect, it } from 'vitest';
import { addressKey } from './address-key.js';

describe('addressKey', () => {
  it('keeps IPv4 addresses as they are', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey(' 127.0.0.1 ')).toBe('127.0.0.1');
  });

  it('turns IPv4-mapped IPv6 into IPv4', () => {
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('counts every address of one IPv6 /64 as one client', () => {
    const a = addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::1')).toBe(a);
    expect(addressKey('[2001:0db8:0001:0002:ffff::9]')).toBe(a);
    expect(addressKey('2001:db8:1:2::1%eth0')).toBe(a);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(a);
  });

  it('keys loopback and compressed forms', () => {
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1')).toBe('fe80:0:0:0::/64');
  });

  it('never throws on junk and bounds its length', () => {
    for (const junk of ['', 'unknown', 'not an ip', ':::::', '1.2.3.999', 'x'.repeat(10_000)]) {
      expect(() => addressKey(junk)).not.toThrow();
      expect(addressKey(junk).length).toBeLessThanOrEqual(64);
    }
  });
});
