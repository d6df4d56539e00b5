/**
 * Live data: calls `load` now and every `intervalMs` while the page is
 * visible, and again at once when it becomes visible. A slow answer never
 * overlaps the next call, and answers that arrive after unmount are dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useLatest } from '../hooks/useLatest.js';

export interface Polled<T> {
  data: T | null;
  error: unknown;
  /** True until the first answer (or failure). */
  loading: boolean;
  /** Load again now (after an action), without waiting for the next tick. */
  refresh: () => Promise<void>;
  /** When (Date.now()) the data arrived: "now" for the relative times shown with it. */
  fetchedAt: number;
}

export function usePolling<T>(load: () => Promise<T>, intervalMs = 2000, onError?: (err: unknown) => void): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [fetchedAt, setFetchedAt] = useState(() => Date.now());
  const loadRef = useLatest(load);
  const onErrorRef = useLatest(onError);
  const alive = useRef(true);
  const inFlight = useRef<Promise<void> | null>(null);

  const refresh = useCallback((): Promise<void> => {
    if (inFlight.current) return inFlight.current;
    const run = (async () => {
      try {
        const next = await loadRef.current();
        if (!alive.current) return;
        setData(next);
        setFetchedAt(Date.now());
        setError(null);
      } catch (err) {
        if (!alive.current) return;
        setError(err);
        onErrorRef.current?.(err);
      } finally {
        if (alive.current) setLoading(false);
        inFlight.current = null;
      }
    })();
    inFlight.current = run;
    return run;
  }, [loadRef, onErrorRef]);

  useEffect(() => {
    alive.current = true;
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      if (timer !== undefined) return;
      void refresh();
      timer = setInterval(() => void refresh(), intervalMs);
    };
    const stop = () => {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => (document.visibilityState === 'visible' ? start() : stop());
    onVisibility();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      alive.current = false;
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [refresh, intervalMs]);

  return { data, error, loading, refresh, fetchedAt };
}
