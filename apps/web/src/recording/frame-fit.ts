/** Fitting a video frame into a tile: cropped to fill it (a camera) or whole inside it (a screen). */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function fitRect(sourceWidth: number, sourceHeight: number, box: Rect, fit: 'cover' | 'contain'): Rect {
  if (sourceWidth <= 0 || sourceHeight <= 0) return { ...box };
  const sx = box.width / sourceWidth;
  const sy = box.height / sourceHeight;
  const scale = fit === 'cover' ? Math.max(sx, sy) : Math.min(sx, sy);
  const width = sourceWidth * scale;
  const height = sourceHeight * scale;
  return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height };
}

/** The part of a frame that fills the box when cropped (centred), in the frame's own pixels. */
export function coverSource(sourceWidth: number, sourceHeight: number, box: Rect): Rect {
  if (sourceWidth <= 0 || sourceHeight <= 0 || box.width <= 0 || box.height <= 0) {
    return { x: 0, y: 0, width: Math.max(0, sourceWidth), height: Math.max(0, sourceHeight) };
  }
  const scale = Math.max(box.width / sourceWidth, box.height / sourceHeight);
  const width = box.width / scale;
  const height = box.height / scale;
  return { x: (sourceWidth - width) / 2, y: (sourceHeight - height) / 2, width, height };
}
