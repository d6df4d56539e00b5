/**
 * @conclave/e2ee — the package entry for conformance tools: exactly the two
 * RFC 9605 SFrame functions. Everything else is behind subpaths:
 *   @conclave/e2ee/frames        SFrame contexts, codec framing, FrameCrypto
 *   @conclave/e2ee/keys          the key schedule (libsodium)
 *   @conclave/e2ee/media         main-thread side of the media transform
 *   @conclave/e2ee/media-worker  the Worker that transforms encoded frames
 */
export { sframeEncrypt, sframeDecrypt } from './sframe/sframe.js';
