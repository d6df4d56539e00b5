/** One TileViewTracker per call, reporting to its media, watching while the call is on screen. */
import { useEffect, useMemo } from 'react';
import type { CallMedia } from '../call/call-media.js';
import { TileViewTracker } from '../call/tile-views.js';

export function useTileViews(media: CallMedia | null): TileViewTracker | undefined {
  const tracker = useMemo(() => (media ? new TileViewTracker((views) => media.reportViews(views)) : undefined), [media]);
  useEffect(() => {
    if (!tracker) return;
    tracker.start();
    return () => tracker.stop();
  }, [tracker]);
  return tracker;
}
