/** One TileViewTracker per call session, reporting to it, gone with it. */
import { useEffect, useState } from 'react';
import type { CallSession } from '../call/call-session.js';
import { TileViewTracker } from '../call/tile-views.js';

export function useTileViews(session: CallSession | null): TileViewTracker | undefined {
  const [tracker, setTracker] = useState<TileViewTracker>();
  useEffect(() => {
    if (!session) return;
    const next = new TileViewTracker((views) => session.reportViews(views));
    setTracker(next);
    return () => {
      next.dispose();
      setTracker(undefined);
    };
  }, [session]);
  return tracker;
}
