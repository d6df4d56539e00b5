/**
 * The local recording's controls for React: start or stop from the click
 * (browsers start audio only then), and dismiss the saved file's notice.
 */
import { useState } from 'react';
import { recordingUnsupportedReason, type MeetingRecording, type RecordingView } from '../recording/meeting-recording.js';

export interface MeetingRecordingControls {
  view: RecordingView;
  /** Why this browser cannot record, or null. */
  unsupported: string | null;
  toggle: () => void;
  dismiss: () => void;
}

export function useMeetingRecording(recording: MeetingRecording, view: RecordingView): MeetingRecordingControls {
  const [unsupported] = useState(() => recordingUnsupportedReason());
  return {
    view,
    unsupported,
    toggle: () => {
      if (view.status === 'recording') void recording.stop();
      else void recording.start();
    },
    dismiss: () => recording.dismiss(),
  };
}
