/**
 * The WebCrypto entry point used by the SFrame layer: `globalThis.crypto.subtle`
 * (Node ≥ 20, browsers, Workers), plus a typing helper.
 *
 * WebCrypto copies its input bytes synchronously when a method is called (the
 * spec's "get a copy of the bytes held by"), so a caller may reuse a buffer as
 * soon as the call has returned its promise.
 */

/** The platform's SubtleCrypto; throws when the platform has none (e.g. an insecure context). */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (crypto.subtle) is not available in this context');
  return s;
}

/**
 * Views bytes as a WebCrypto BufferSource. TypeScript types `Uint8Array` over
 * `ArrayBufferLike` (which includes SharedArrayBuffer); WebCrypto itself rejects
 * shared memory at run time, which is the behaviour we want.
 */
export function bytes(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return u as Uint8Array<ArrayBuffer>;
}
