import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_COOKIE_TTL_MS, DeviceCookies, loadDeviceKey } from './device-cookie.js';

describe('DeviceCookies', () => {
  const key = Buffer.alloc(32, 7);

  it('verifies what it issued, keeps a device id, and names the user', () => {
    const d = new DeviceCookies(key);
    const first = d.verify(d.issue(42));
    expect(first).toMatchObject({ userId: 42 });
    expect(d.verify(d.issue(42, first!.deviceId))).toEqual(first);
  });

  it('refuses forged, altered, foreign-key and expired cookies', () => {
    let now = 1_700_000_000_000;
    const d = new DeviceCookies(key, () => now);
    const value = d.issue(7);
    const [v, , device, issued, mac] = value.split('.');
    expect(d.verify(`${v}.8.${device}.${issued}.${mac}`)).toBeNull(); // another user
    expect(d.verify(value.slice(0, -2) + (value.endsWith('AA') ? 'BB' : 'AA'))).toBeNull();
    expect(new DeviceCookies(Buffer.alloc(32, 9)).verify(value)).toBeNull();
    for (const junk of [undefined, '', 'v1', 'v1.a.b.c.d', 'x'.repeat(500), 'v2.7.abcdefgh.1.x']) expect(d.verify(junk)).toBeNull();
    now += DEVICE_COOKIE_TTL_MS + 1000;
    expect(d.verify(value)).toBeNull();
  });

  it('keeps its key in the data directory, private, across restarts', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conclave-device-'));
    const a = loadDeviceKey(dir);
    expect(a.length).toBe(32);
    expect(loadDeviceKey(dir).equals(a)).toBe(true);
    expect(statSync(path.join(dir, 'device-cookie.key')).mode & 0o777).toBe(0o600);
    writeFileSync(path.join(dir, 'device-cookie.key'), 'short');
    expect(() => loadDeviceKey(dir)).toThrow(/damaged/);
  });
});
