/**
 * Where each tile goes in a recording's frame. Like the call: a screen share
 * takes the main area (someone else's before our own) with everyone else in
 * a strip below it; otherwise every tile is placed in the grid that makes
 * them largest, rows centred. Pure math, in whole pixels.
 */
import { bestGridLayout } from '../components/grid-layout.js';

/** The recording's frame size and rate: 720p at 25 frames a second. */
export const RECORDING_WIDTH = 1280;
export const RECORDING_HEIGHT = 720;
export const RECORDING_FPS = 25;

export interface LayoutTile {
  key: string;
  source: 'camera' | 'screen';
  self: boolean;
}

export interface TileRect {
  key: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The screen share in the main area. */
  main: boolean;
}

export interface LayoutOptions {
  padding?: number;
  gap?: number;
  /** The strip under a screen share, as a share of the height inside the padding. */
  stripShare?: number;
}

const ASPECT = 16 / 9;

/** The screen share shown large: the first remote one, else our own; null when nobody shares. */
export function mainTileKey(tiles: readonly LayoutTile[]): string | null {
  const screens = tiles.filter((t) => t.source === 'screen');
  return (screens.find((t) => !t.self) ?? screens[0])?.key ?? null;
}

export function recordingLayout(
  tiles: readonly LayoutTile[],
  width: number,
  height: number,
  { padding = 16, gap = 12, stripShare = 0.2 }: LayoutOptions = {},
): TileRect[] {
  if (tiles.length === 0) return [];
  const innerW = width - 2 * padding;
  const innerH = height - 2 * padding;
  const mainKey = mainTileKey(tiles);
  if (mainKey !== null) {
    const others = tiles.filter((t) => t.key !== mainKey);
    if (others.length === 0) return [{ key: mainKey, x: padding, y: padding, width: innerW, height: innerH, main: true }];
    const stripH = Math.floor(innerH * stripShare);
    const fitW = (innerW - gap * (others.length - 1)) / others.length;
    const thumbW = Math.floor(Math.min(stripH * ASPECT, fitW));
    const thumbH = Math.floor(thumbW / ASPECT);
    const mainH = innerH - stripH - gap;
    const rowW = others.length * thumbW + (others.length - 1) * gap;
    const x0 = padding + Math.floor((innerW - rowW) / 2);
    const y = padding + mainH + gap + Math.floor((stripH - thumbH) / 2);
    const strip = new Map(others.map((t, i) => [t.key, { x: x0 + i * (thumbW + gap), y }]));
    return tiles.map((t) => {
      if (t.key === mainKey) return { key: t.key, x: padding, y: padding, width: innerW, height: mainH, main: true };
      const at = strip.get(t.key)!;
      return { key: t.key, x: at.x, y: at.y, width: thumbW, height: thumbH, main: false };
    });
  }
  const grid = bestGridLayout(tiles.length, innerW, innerH, gap, ASPECT);
  const tileW = Math.floor(grid.tileWidth);
  const tileH = Math.floor(grid.tileHeight);
  const totalH = grid.rows * tileH + (grid.rows - 1) * gap;
  const y0 = padding + Math.floor((innerH - totalH) / 2);
  return tiles.map((t, i) => {
    const row = Math.floor(i / grid.cols);
    const inRow = Math.min(grid.cols, tiles.length - row * grid.cols);
    const rowW = inRow * tileW + (inRow - 1) * gap;
    const x0 = padding + Math.floor((innerW - rowW) / 2);
    const col = i - row * grid.cols;
    return { key: t.key, x: x0 + col * (tileW + gap), y: y0 + row * (tileH + gap), width: tileW, height: tileH, main: false };
  });
}
