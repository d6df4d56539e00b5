/** Client-side navigation without a router library: pushState plus a listener hook. */
import { useEffect, useState } from 'react';

export function navigate(path: string, state: Record<string, unknown> | null = null): void {
  window.history.pushState(state, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function usePathname(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return path;
}
