/** A remote tile's encryption state, in words. */
import type { TileE2eeView } from '../e2ee/tile-e2ee.js';
import { LockIcon } from './icons.js';

export function E2eeBadge({ view }: { view: TileE2eeView }) {
  if (view.state === 'encrypted' && view.origin === 'failed') {
    return (
      <span className="e2ee-badge e2ee-badge--cannot-decrypt" role="status" data-testid="origin-failed">
        {view.text}
      </span>
    );
  }
  if (view.state === 'encrypted') {
    return (
      <span className="e2ee-badge e2ee-badge--ok" role="img" title={view.text} aria-label={view.text}>
        <LockIcon width={14} height={14} />
      </span>
    );
  }
  return (
    <span className={`e2ee-badge e2ee-badge--${view.state}`} role="status">
      {view.text}
    </span>
  );
}
