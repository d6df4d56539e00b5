/**
 * Which simulcast layer each video consumer of one receiver should get, and
 * which of them to pause: a pure function of how the receiver shows each
 * video (see TileView) and of what the producer sends.
 *
 * Size picks the preferred layer: the smallest layer that is sharp at the
 * tile's size. Bandwidth is then mediasoup's part: the receive transport's
 * transport-cc estimate gives each consumer at most its preferred layer,
 * highest priority first, so the priority says who keeps quality when the
 * receiver's bandwidth runs short: the biggest tile (the speaker, a screen
 * share) first.
 */
import { CAMERA_NOMINAL_ASPECT, type TileView } from '@conclave/protocol';

/** One spatial layer a producer sends, lowest first. */
export interface SpatialLayer {
  /** Picture height in pixels (nominal: the producer's camera height over its scale-down factor). */
  height: number;
}

export interface ViewedVideo {
  consumerId: string;
  /** The producer's spatial layers, lowest first; one for a video sent without simulcast. */
  layers: readonly SpatialLayer[];
  /** How the receiver shows it; undefined until the receiver has said. */
  view: Omit<TileView, 'consumerId'> | undefined;
}

export interface LayerChoice {
  consumerId: string;
  /** Nobody sees it: send nothing. */
  paused: boolean;
  /** The preferred spatial layer (mediasoup may send a lower one when bandwidth is short). */
  spatialLayer: number;
  /** mediasoup consumer priority, 1..255: higher gets bandwidth first. */
  priority: number;
}

/**
 * A layer at least this fraction of the tile's height looks sharp on screen
 * (a 10 % upscale is not visible); below it, the next layer up is chosen.
 */
export const SHARPNESS_FACTOR = 0.9;

/**
 * Until the receiver has said how big a tile is (a moment after the video
 * starts), a small picture is assumed: the smallest layer's key frame arrives
 * first, so the first picture shows sooner (join to first frame: median
 * 1.08 s starting small against 1.74 s starting at the middle layer, measured
 * with bench/call-bench.ts), and the tile's real size follows.
 */
export const DEFAULT_VIEW_HEIGHT = 180;

/** The picture height a tile needs: the video covers the tile, so a wide tile needs more than its height. */
export function neededHeight(view: { width: number; height: number }): number {
  return Math.max(view.height, view.width / CAMERA_NOMINAL_ASPECT);
}

/** The smallest layer sharp at this height (the top layer when none is). */
export function layerForHeight(layers: readonly SpatialLayer[], height: number): number {
  for (let i = 0; i < layers.length; i += 1) {
    if (layers[i]!.height >= height * SHARPNESS_FACTOR) return i;
  }
  return Math.max(0, layers.length - 1);
}

export function chooseLayers(videos: readonly ViewedVideo[]): LayerChoice[] {
  const area = (v: ViewedVideo) =>
    v.view ? v.view.width * v.view.height : DEFAULT_VIEW_HEIGHT * DEFAULT_VIEW_HEIGHT * CAMERA_NOMINAL_ASPECT;
  // Rank by the area shown: the biggest tile gets the highest priority.
  const ranked = [...videos].sort((a, b) => area(b) - area(a));
  const rank = new Map(ranked.map((v, i) => [v.consumerId, i]));
  return videos.map((v) => {
    const paused = v.view !== undefined && (!v.view.visible || v.view.width === 0 || v.view.height === 0);
    const height = v.view ? neededHeight(v.view) : DEFAULT_VIEW_HEIGHT;
    return {
      consumerId: v.consumerId,
      paused,
      spatialLayer: layerForHeight(v.layers, height),
      priority: Math.max(1, 255 - rank.get(v.consumerId)!),
    };
  });
}
