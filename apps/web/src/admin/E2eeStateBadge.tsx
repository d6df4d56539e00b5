/** A participant's end-to-end encryption state, as their own client reports it. */
import type { LiveParticipant } from '@conclave/protocol';
import { LockIcon } from '../components/icons.js';

const TEXT: Record<LiveParticipant['e2ee'], { label: string; title: string }> = {
  encrypted: { label: 'Encrypted', title: 'Their client sends and receives end-to-end encrypted media.' },
  'waiting-for-key': { label: 'Waiting for key', title: 'Their client is waiting for a meeting key from the others.' },
  'cannot-decrypt': {
    label: 'Cannot decrypt',
    title: 'Their client cannot decrypt the others: they probably hold a different meeting key.',
  },
  unknown: { label: 'Not reported', title: 'Their client has not reported its encryption state yet.' },
};

export function E2eeStateBadge({ state }: { state: LiveParticipant['e2ee'] }) {
  const { label, title } = TEXT[state];
  return (
    <span className={`status-badge status-badge--e2ee-${state}`} title={title} data-testid="admin-participant-e2ee" data-state={state}>
      {state === 'encrypted' ? <LockIcon width={12} height={12} /> : <span className="status-badge__dot" aria-hidden="true" />}
      {label}
    </span>
  );
}
