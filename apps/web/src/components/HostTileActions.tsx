/** On a remote tile, for hosts: turn their microphone off, or remove them. */
export function HostTileActions({
  name,
  audioMuted,
  onMute,
  onRemove,
}: {
  name: string;
  audioMuted: boolean;
  onMute: () => void;
  onRemove: () => void;
}) {
  return (
    <div className="tile__host-actions">
      <button
        type="button"
        className="chip-button"
        data-testid="host-mute"
        disabled={audioMuted}
        aria-label={`Turn ${name}'s microphone off`}
        onClick={onMute}
      >
        Mute
      </button>
      <button
        type="button"
        className="chip-button chip-button--danger"
        data-testid="host-remove"
        aria-label={`Remove ${name} from the meeting`}
        onClick={() => {
          if (window.confirm(`Remove ${name} from the meeting?`)) onRemove();
        }}
      >
        Remove
      </button>
    </div>
  );
}
