/**
 * Local recording in the call: the record button for the controls bar, the
 * "REC 0:42" indicator while it runs, the saved file's download link and
 * any error, and the REC mark on the tile of someone else who records.
 */
import { useEffect, useState } from 'react';
import './recording.css';
import { Icon, type IconProps } from './icons.js';
import type { RecordingView } from '../recording/meeting-recording.js';
import { formatBytes, formatElapsed } from '../recording/recording-file.js';

const RecordIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="9" />
    <circle cx="12" cy="12" r="4" fill="currentColor" />
  </Icon>
);
const StopRecordIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="6" y="6" width="12" height="12" rx="2" fill="currentColor" />
  </Icon>
);

export function RecordButton({ view, unsupported, onToggle }: { view: RecordingView; unsupported: string | null; onToggle: () => void }) {
  const on = view.status === 'recording' || view.status === 'stopping';
  const busy = view.status === 'starting' || view.status === 'stopping';
  const label = on ? 'Stop recording' : 'Start recording';
  return (
    <>
      <button
        type="button"
        data-testid="toggle-recording"
        className={`control${on ? ' control--recording' : ''}`}
        aria-pressed={on}
        aria-label={label}
        title={unsupported ?? (on ? 'Stop recording and save the file' : 'Record the meeting on this computer')}
        disabled={unsupported !== null || busy}
        aria-describedby={unsupported ? 'recording-unsupported' : undefined}
        onClick={onToggle}
      >
        {on ? <StopRecordIcon /> : <RecordIcon />}
      </button>
      {unsupported && (
        <span id="recording-unsupported" className="rec-sr-only" data-testid="recording-unsupported">
          {unsupported}
        </span>
      )}
    </>
  );
}

/** Red dot and elapsed time while this participant records. */
export function RecordingIndicator({ view }: { view: RecordingView }) {
  const [now, setNow] = useState(() => Date.now());
  const running = view.startedAt !== null && (view.status === 'recording' || view.status === 'stopping');
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [running]);
  if (!running) return null;
  const elapsed = formatElapsed(now - view.startedAt!);
  return (
    <span
      className="chip rec-indicator"
      data-testid="recording-indicator"
      role="timer"
      aria-label={`Recording, ${elapsed}`}
      title="You are recording this meeting on this computer. Everyone in it has been told."
    >
      <span className="rec-indicator__dot" aria-hidden="true" />
      <span aria-hidden="true">REC</span>
      <span className="rec-indicator__time" aria-hidden="true">
        {elapsed}
      </span>
    </span>
  );
}

/** The saved recording (download it again, or dismiss) and what went wrong, if anything. */
export function RecordingResult({ view, onDismiss, inline = false }: { view: RecordingView; onDismiss: () => void; inline?: boolean }) {
  if (!view.saved && !view.error) return null;
  return (
    <div className={`rec-result${inline ? ' rec-result--inline' : ''}`} data-testid="recording-result">
      {view.error && (
        <p className="notice notice--error" role="alert" data-testid="recording-error">
          {view.error}
        </p>
      )}
      {view.saved && (
        <p className="rec-result__saved" role="status">
          Recording saved to your downloads: <span className="rec-result__file">{view.saved.fileName}</span> (
          {formatElapsed(view.saved.durationMs)}, {formatBytes(view.saved.bytes)}).
        </p>
      )}
      <div className="rec-result__actions">
        {view.saved && (
          <a className="button button--small" href={view.saved.url} download={view.saved.fileName} data-testid="recording-download">
            Download again
          </a>
        )}
        <button type="button" className="button button--small" data-testid="recording-dismiss" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </div>
  );
}

/** On a tile: this person is recording the meeting. */
export function TileRecordingMark({ name }: { name: string }) {
  return (
    <span
      className="tile__rec"
      data-testid="tile-recording"
      title={`${name} is recording this meeting`}
      aria-label={`${name} is recording`}
    >
      <span className="rec-indicator__dot" aria-hidden="true" />
      REC
    </span>
  );
}
