/**
 * @conclave/e2ee/frames — frame encryption: RFC 9605 SFrame (header, cipher
 * suites, key derivation, AEADs, replay window, sender/receiver contexts),
 * the codec clear-byte framings, and `FrameCrypto`, which combines them for
 * the media Worker. No libsodium here, so the Worker bundle stays small.
 */

// SFrame core
export {
  sframeEncrypt,
  sframeDecrypt,
  computeNonce,
  buildAad,
  encryptWithKey,
  decryptWithKey,
  type SFramePrefix,
} from './sframe/sframe.js';
export { SFrameError, type SFrameErrorCode } from './sframe/errors.js';
export {
  encodeHeader,
  decodeHeader,
  writeHeader,
  headerLength,
  MAX_HEADER_VALUE,
  MAX_HEADER_LENGTH,
  type SFrameHeader,
  type DecodedHeader,
} from './sframe/header.js';
export {
  cipherSuite,
  CIPHER_SUITES,
  AES_128_CTR_HMAC_SHA256_80,
  AES_128_CTR_HMAC_SHA256_64,
  AES_128_CTR_HMAC_SHA256_32,
  AES_128_GCM_SHA256_128,
  AES_256_GCM_SHA512_128,
  type CipherSuite,
  type AeadKind,
  type HashName,
} from './sframe/cipher-suites.js';
export {
  deriveKeyMaterial,
  hkdfExtract,
  hkdfExpand,
  sframeKeyLabel,
  sframeSaltLabel,
  splitCtrHmacKey,
  type DerivedKeyMaterial,
} from './sframe/key-derivation.js';
export { importAeadKey, aeadEncrypt, aeadEncryptInto, aeadDecrypt, type AeadKey } from './sframe/aead.js';
export { importSFrameKey, type SFrameKey } from './sframe/sframe-key.js';
export { ReplayWindow, type ReplayStatus } from './sframe/replay-window.js';
export {
  SFrameSender,
  SFrameReceiver,
  type SFrameSenderOptions,
  type SFrameReceiverOptions,
  type DecryptedFrame,
} from './sframe/sframe-context.js';

// Codec framing
export { CodecError, type CodecErrorCode } from './codec/errors.js';
export type { CodecFraming, SplitFrame, ParsedFrame } from './codec/framing.js';
export { framingFor } from './codec/registry.js';
export { opaqueFraming, OPUS_FRAMING, VP9_FRAMING } from './codec/opaque.js';
export { VP8_FRAMING, vp8ClearLength } from './codec/vp8.js';
export { H264_FRAMING, findFirstSliceNalHeader } from './codec/h264.js';
export { escapeEmulation, unescapeEmulation } from './codec/emulation-prevention.js';
export { AV1_FRAMING, isFrameDataObu, readObuHeader, type ObuHeader } from './codec/av1.js';
export { readLeb128, writeLeb128, encodeLeb128, leb128Size, type Leb128 } from './codec/leb128.js';

// Frame E2EE for the media Worker
export { FrameCrypto, type FrameCryptoOptions, type FrameOrigin } from './frame-crypto.js';
