/** One word for this participant's encryption, as reported to the server for the admin page. */
import type { E2eeStatus } from '@conclave/protocol';
import type { E2eeSnapshot } from './e2ee-session.js';

export function e2eeSummary(s: E2eeSnapshot): E2eeStatus {
  const tiles = Object.values(s.tiles);
  if (tiles.some((t) => t.state === 'cannot-decrypt')) return 'cannot-decrypt';
  if (!s.sending || tiles.some((t) => t.state === 'waiting-for-key')) return 'waiting-for-key';
  return 'encrypted';
}
