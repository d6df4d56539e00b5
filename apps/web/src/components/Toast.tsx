/** The call's toast: each notice for 3.5 s, or until the next one. */
import { useEffect, useState } from 'react';
import type { CallSnapshot } from '../call/call-state.js';

export function Toast({ notice }: { notice: CallSnapshot['notice'] }) {
  // Each notice shows for 3.5 s, or until the next one.
  const [expired, setExpired] = useState<number | null>(null);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setExpired(notice.id), 3500);
    return () => clearTimeout(t);
  }, [notice]);
  const visible = notice && notice.id !== expired ? notice : null;
  return (
    <div className="toast-region" role="status" aria-live="polite">
      {visible && (
        <div className="toast" key={visible.id}>
          {visible.text}
        </div>
      )}
    </div>
  );
}
