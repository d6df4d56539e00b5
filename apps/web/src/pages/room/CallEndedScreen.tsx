/** After the call: why it ended (or that the person left), the recording just saved, and a way back in. */
import { RecordingResult } from '../../components/RecordingControls.js';
import { navigate } from '../../navigation.js';
import type { RecordingView } from '../../recording/meeting-recording.js';

export interface CallEndedScreenProps {
  error: string | null;
  recording: RecordingView;
  onDismissRecording: () => void;
  onRejoin: () => void;
}

export function CallEndedScreen({ error, recording, onDismissRecording, onRejoin }: CallEndedScreenProps) {
  return (
    <div className="ended">
      <div className="ended__card">
        <h1>{error ? 'The call ended' : 'You left the meeting'}</h1>
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
        <RecordingResult view={recording} onDismiss={onDismissRecording} inline />
        <div className="ended__actions">
          <button type="button" className="button button--primary" data-testid="rejoin-button" onClick={onRejoin}>
            Rejoin
          </button>
          <button type="button" className="button" onClick={() => navigate('/')}>
            Back to home
          </button>
        </div>
      </div>
    </div>
  );
}
