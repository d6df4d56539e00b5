/** In the lobby: a host has been told this person is here. */
export function LobbyWaitingScreen({ roomName, onCancel }: { roomName: string; onCancel: () => void }) {
  return (
    <div className="waiting">
      <div className="waiting__card" data-testid="lobby-waiting" role="status">
        <div className="waiting__spinner" aria-hidden="true" />
        <h1>Waiting to be let in</h1>
        <p className="muted">A host of “{roomName}” has been told you are here.</p>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
