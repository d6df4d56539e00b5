/**
 * @conclave/e2ee/media — the page's side of frame encryption. The Worker
 * itself is `@conclave/e2ee/media-worker` (worker/media-worker.ts).
 *
 * The folders follow the thread boundary: page/ runs on the page, worker/ in
 * the media Worker, and worker-messages.ts (here, between them) is the only
 * thing both sides share. This entry is page side: it never imports worker/.
 */
export { MediaEncryption, type MediaEncryptionEvents } from './page/media-encryption.js';
export { detectFrameTransformSupport, type FrameTransformSupport } from './page/frame-transform-support.js';
export type { MediaKind, ReceiveStatus, ToWorker, FromWorker, TransformOptions, OriginStatus, OriginFailure } from './worker-messages.js';
export {
  SUITE_FOR_KIND,
  ORIGIN_BATCH_MS,
  ORIGIN_BATCH_MAX_ENTRIES,
  ORIGIN_BATCH_MAX_BYTES,
  ORIGIN_DEADLINE_MS,
} from './worker-messages.js';
