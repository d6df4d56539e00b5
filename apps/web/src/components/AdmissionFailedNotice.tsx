/**
 * Failed attempts to join the encrypted meeting, as the members saw them:
 * each one is a CPace run with a wrong link key or passphrase, which the
 * member who ran it tells everyone (signed, through the group). An online
 * guess at a passphrase cannot go unseen; the count says how many.
 */
import type { MeetingSecret } from '@conclave/e2ee/group';

export interface AdmissionFailures {
  count: number;
  lastName: string;
}

export function admissionFailedText(failures: AdmissionFailures, kind: MeetingSecret['kind'] | null): string {
  const what = kind === 'passphrase' ? 'a wrong passphrase' : 'a different meeting key';
  const times = failures.count === 1 ? '' : ` (${failures.count} attempts)`;
  return `Someone tried to join with ${what}${times}. They were not let in.`;
}

export function AdmissionFailedNotice({ failures, kind }: { failures: AdmissionFailures | null; kind: MeetingSecret['kind'] | null }) {
  if (!failures) return null;
  return (
    <span
      className="chip chip--danger"
      role="status"
      data-testid="admission-failed"
      data-count={failures.count}
      title={`The last one called themselves “${failures.lastName}”. Each attempt is one guess; the members refuse more than a few a minute.`}
    >
      {admissionFailedText(failures, kind)}
    </span>
  );
}
