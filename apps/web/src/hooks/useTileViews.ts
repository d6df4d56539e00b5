/** One TileViewTracker per call, reporting to its media, gone with it. */
import { useEffect, useState } from 'react';
import type { CallMedia } from '../call/call-media.js';
import { TileViewTracker } from '../call/tile-views.js';

export function useTileViews(media: CallMedia | null): TileViewTracker | undefined {
  const [tracker, setTracker] = useState<TileViewTracker>();
  useEffect(() => {
    if (!media) return;
    const next = new TileViewTracker((views) => media.reportViews(views));
    setTracker(next);
    return () => {
      next.dispose();
      setTracker(undefined);
    };
  }, [media]);
  return tracker;
}
