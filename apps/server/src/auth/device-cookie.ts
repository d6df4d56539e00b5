/**
 * Device cookies: a long-lived, signed note set in a browser at each
 * successful sign-in, saying "this browser signed in as user N before".
 * A sign-in that presents a valid one for the account it names is counted
 * against that device alone, never against the account's shared budget, so
 * strangers guessing from elsewhere cannot lock the owner out of their own
 * devices. It grants nothing by itself: the password is still checked.
 *
 * Format: `v1.<userId>.<deviceId>.<issuedAt seconds>.<HMAC-SHA256, base64url>`,
 * signed with a random 32-byte key kept in the data directory
 * (device-cookie.key, mode 0600) so cookies survive restarts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const DEVICE_COOKIE = 'conclave_device';
/** How long a device stays known after its last sign-in. */
export const DEVICE_COOKIE_TTL_MS = 365 * 24 * 3600_000;
const KEY_FILE = 'device-cookie.key';

export interface KnownDevice {
  userId: number;
  deviceId: string;
}

/** The signing key from `dataDir`, made (0600) on first use. */
export function loadDeviceKey(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  try {
    writeFileSync(file, randomBytes(32), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(file, 0o600); // in case it was copied in with looser permissions
  const key = readFileSync(file);
  if (key.length < 32)
    throw new Error(`${file} is damaged (under 32 bytes): delete it to make a new one (known devices are then forgotten)`);
  return key;
}

export class DeviceCookies {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** A cookie value for `userId`; keeps `deviceId` when the browser already had one. */
  issue(userId: number, deviceId: string = randomBytes(12).toString('base64url')): string {
    const body = `v1.${userId}.${deviceId}.${Math.floor(this.now() / 1000)}`;
    return `${body}.${this.mac(body)}`;
  }

  /** What a cookie value says, if it is genuine and not expired; null for anything else. */
  verify(value: string | undefined): KnownDevice | null {
    if (!value || value.length > 200) return null;
    const parts = value.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') return null;
    const [, user, deviceId, issued, mac] = parts as [string, string, string, string, string];
    const expected = Buffer.from(this.mac(parts.slice(0, 4).join('.')));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const userId = Number(user);
    const issuedMs = Number(issued) * 1000;
    if (!Number.isSafeInteger(userId) || userId <= 0 || !/^[A-Za-z0-9_-]{8,32}$/.test(deviceId)) return null;
    if (!Number.isFinite(issuedMs) || this.now() - issuedMs > DEVICE_COOKIE_TTL_MS) return null;
    return { userId, deviceId };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
