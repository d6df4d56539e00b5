/**
 * The local recording of the current call, for React: one MeetingRecording
 * per CallSession, its state, and start/stop/dismiss. A recording that runs
 * when the session goes away (the page is left) is stopped and saved.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { CallSession } from '../call/call-session.js';
import { MeetingRecording, recordingUnsupportedReason, type RecordingView } from '../recording/meeting-recording.js';

export interface MeetingRecordingControls {
  view: RecordingView;
  /** Why this browser cannot record, or null. */
  unsupported: string | null;
  toggle: () => void;
  dismiss: () => void;
}

const idleView: RecordingView = { status: 'idle', startedAt: null, error: null, saved: null };
const idleStore = { subscribe: () => () => undefined, getSnapshot: () => idleView };

export function useMeetingRecording(
  session: CallSession | null,
  options: { selfName: string; roomName: string; isHidden: (peerId: string) => boolean },
): MeetingRecordingControls {
  const latest = useRef(options);
  latest.current = options;
  const [recording, setRecording] = useState<MeetingRecording | null>(null);
  const [unsupported] = useState(() => recordingUnsupportedReason());
  useEffect(() => {
    if (!session) return;
    const r = new MeetingRecording(session, {
      selfName: () => latest.current.selfName,
      roomName: () => latest.current.roomName,
      isHidden: (peerId) => latest.current.isHidden(peerId),
    });
    setRecording(r);
    return () => {
      r.dispose();
      setRecording((current) => (current === r ? null : current));
    };
  }, [session]);
  const store = recording ?? idleStore;
  const view = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return {
    view,
    unsupported,
    toggle: () => {
      if (!recording) return;
      if (view.status === 'recording') void recording.stop();
      else void recording.start();
    },
    dismiss: () => recording?.dismiss(),
  };
}
