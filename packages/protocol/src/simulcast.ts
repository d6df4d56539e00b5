/**
 * Simulcast as both ends agree on it: the camera is sent as three VP8 layers
 * (quarter, half and full resolution), and each receiver tells the server how
 * it shows every video it consumes, so the server can choose a layer per
 * consumer and pause what nobody sees.
 */
import { z } from 'zod';
import { Id } from './media.js';

/** One layer, lowest first (mediasoup numbers spatial layers in the same order). */
export interface SimulcastLayer {
  /** How much smaller than the captured picture this layer is, in each dimension. */
  scaleResolutionDownBy: number;
  /** The sender's cap for this layer, in bits per second. */
  maxBitrate: number;
}

/** The camera's layers: 320×180, 640×360 and 1280×720 from a 720p camera. */
export const CAMERA_SIMULCAST_LAYERS: readonly SimulcastLayer[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

/** VP8 temporal layers per spatial layer (L1T3): 7.5, 15 and 30 frames a second. */
export const CAMERA_TEMPORAL_LAYERS = 3;

/** The camera height clients ask for (a 16:9 picture); layer heights follow from it. */
export const CAMERA_NOMINAL_HEIGHT = 720;
export const CAMERA_NOMINAL_ASPECT = 16 / 9;

/** Largest tile dimension a client may report, in device pixels. */
export const MAX_VIEW_PIXELS = 16_384;

/** How a receiver shows one consumed video, in device pixels. */
export const TileView = z
  .object({
    consumerId: Id,
    width: z.number().int().min(0).max(MAX_VIEW_PIXELS),
    height: z.number().int().min(0).max(MAX_VIEW_PIXELS),
    /** False when the tile is scrolled out of view, covered, or the page is hidden. */
    visible: z.boolean(),
  })
  .strict();
export type TileView = z.infer<typeof TileView>;
