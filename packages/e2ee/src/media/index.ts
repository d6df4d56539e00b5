/**
 * @conclave/e2ee/media — the page's side of frame encryption. The Worker
 * itself is `@conclave/e2ee/media-worker`.
 */
export { MediaEncryption, type MediaEncryptionEvents } from './media-encryption.js';
export { detectFrameTransformSupport, type FrameTransformSupport } from './frame-transform-support.js';
export type { MediaKind, ReceiveStatus, ToWorker, FromWorker, TransformOptions } from './worker-messages.js';
export { SUITE_FOR_KIND } from './worker-messages.js';
