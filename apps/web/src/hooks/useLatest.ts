/**
 * The latest value of a prop or callback, for handlers and effects that
 * outlive the render they were made in (a keydown listener, a poll). It is
 * updated after each commit, never during render.
 */
import { useLayoutEffect, useRef } from 'react';

export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
