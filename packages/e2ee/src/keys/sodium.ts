/**
 * Loading libsodium, for the link key (random bytes, base64url). The
 * group's keys come from MLS (../group/), passphrases go into CPace there.
 *
 * libsodium-wrappers 0.8.x notes (checked on Node 20 ESM and a Vite 8 build):
 *  - Only the DEFAULT export carries the crypto functions at run time; the
 *    named exports are limited to a few helpers (ready, to_base64, memcmp…),
 *    although the bundled .d.mts declares every function as a named export.
 *    So always `import sodium from "libsodium-wrappers"` and never
 *    `import { crypto_box_easy } from …` (it type-checks, then is undefined).
 *  - Everything used here (randombytes, memzero, base64 helpers) is in the
 *    standard build.
 *  - The ESM build needs globalThis.crypto.getRandomValues (browsers, Node ≥ 19).
 */
import sodium from 'libsodium-wrappers';

export type Sodium = typeof sodium;

let isReady = false;

/** Resolves once libsodium is usable; every async entry point awaits it. */
export async function sodiumReady(): Promise<void> {
  if (isReady) return;
  await sodium.ready;
  isReady = true;
}

/** The initialised library; throws a clear error if {@link sodiumReady} was not awaited. */
export function lib(): Sodium {
  if (!isReady) {
    throw new Error('libsodium is not initialised: await sodiumReady() first');
  }
  return sodium;
}
