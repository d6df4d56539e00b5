/** Tests for kdf.ts (the passphrase salt), and for what libsodium-wrappers 0.8 offers (standard vs sumo build). */
import sodium from 'libsodium-wrappers';
import { beforeAll, describe, expect, it } from 'vitest';
import { passphraseSalt } from './kdf.js';
import { lib, sodiumReady } from './sodium.js';

beforeAll(sodiumReady);

describe('libsodium-wrappers 0.8 (standard build)', () => {
  it('has what the link key and passphrase salt need, but not crypto_pwhash (sumo only)', () => {
    const s = lib() as unknown as Record<string, unknown>;
    for (const f of ['crypto_generichash', 'randombytes_buf', 'memzero', 'to_base64', 'from_base64']) {
      expect(typeof s[f], f).toBe('function');
    }
    expect(typeof s.crypto_pwhash).toBe('undefined');
  });

  it('exposes crypto functions on the default export only', async () => {
    const ns = (await import('libsodium-wrappers')) as unknown as Record<string, unknown>;
    expect(typeof ns.crypto_box_easy).toBe('undefined');
    expect(typeof sodium.crypto_box_easy).toBe('function');
  });
});

describe('passphrase salt', () => {
  it('derives a 16-byte salt per room', () => {
    expect(passphraseSalt('room-a', 16)).toHaveLength(16);
    expect(passphraseSalt('room-a', 16)).toEqual(passphraseSalt('room-a', 16));
    expect(passphraseSalt('room-a', 16)).not.toEqual(passphraseSalt('room-b', 16));
  });
});
