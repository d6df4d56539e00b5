/**
 * Schemas for the mediasoup objects that cross the wire. They are opaque to
 * the protocol (mediasoup validates their insides), so they are checked for
 * shape and bounded in size, not re-specified field by field.
 */
import { z } from 'zod';
import { MAX_DTLS_PARAMETERS_CHARS, MAX_RTP_CAPABILITIES_CHARS, MAX_RTP_PARAMETERS_CHARS } from './limits.js';
import { boundedOpaqueObject } from './opaque-json.js';

/** An object whose fields mediasoup itself validates (server → client only). */
const opaqueObject = z.record(z.string(), z.unknown());

/** Sent with every consume (a browser's are 3–8 KB), so capped generously but firmly. */
export const RtpCapabilities = boundedOpaqueObject(MAX_RTP_CAPABILITIES_CHARS);
export const RtpParameters = boundedOpaqueObject(MAX_RTP_PARAMETERS_CHARS);
export const DtlsParameters = boundedOpaqueObject(MAX_DTLS_PARAMETERS_CHARS, 16, 4);
export const IceParameters = opaqueObject;
export const IceCandidates = z.array(opaqueObject).max(64);

export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

/** What a producer carries, as its owner says. */
export const MediaSource = z.enum(['mic', 'camera', 'screen', 'screen-audio']);
export type MediaSource = z.infer<typeof MediaSource>;

/**
 * What a client sees of end-to-end encryption: every frame it receives
 * decrypts, some sender's key has not arrived yet, or some frames cannot be
 * decrypted (a different meeting key, or tampering). The media Worker says
 * it per stream, a tile shows it, and the client reports it for the admin page.
 */
export const E2eeStatus = z.enum(['encrypted', 'waiting-for-key', 'cannot-decrypt']);
export type E2eeStatus = z.infer<typeof E2eeStatus>;

export const Id = z.string().min(1).max(128);

export const TransportDirection = z.enum(['send', 'recv']);
export type TransportDirection = z.infer<typeof TransportDirection>;

export const ProducerInfo = z.object({
  producerId: Id,
  kind: MediaKind,
  source: MediaSource,
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof ProducerInfo>;

export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;
