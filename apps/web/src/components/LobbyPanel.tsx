/** For hosts: who is waiting to be let in, with Admit and Deny for each. */
export function LobbyPanel({
  waiting,
  onDecide,
}: {
  waiting: Array<{ requestId: string; displayName: string }>;
  onDecide: (requestId: string, admit: boolean) => void;
}) {
  if (waiting.length === 0) return null;
  return (
    <section className="lobby-panel" aria-label="Waiting to join" role="region">
      <h2>{waiting.length === 1 ? '1 person is waiting' : `${waiting.length} people are waiting`}</h2>
      <ul>
        {waiting.map((w) => (
          <li key={w.requestId} data-testid="lobby-request" data-guest-name={w.displayName}>
            <span className="lobby-panel__name">{w.displayName}</span>
            <button
              type="button"
              className="button button--small button--primary"
              data-testid="lobby-admit"
              aria-label={`Let ${w.displayName} in`}
              onClick={() => onDecide(w.requestId, true)}
            >
              Admit
            </button>
            <button
              type="button"
              className="button button--small"
              data-testid="lobby-deny"
              aria-label={`Turn ${w.displayName} away`}
              onClick={() => onDecide(w.requestId, false)}
            >
              Deny
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
