/**
 * /r/<roomId>: the join screen, then the call, then the "you left" screen.
 * Local media is acquired on arrival so the preview shows at once; the
 * CallSession takes the tracks over when the person joins.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { CallSession } from '../call/call-session.js';
import { initialSnapshot } from '../call/call-state.js';
import { CallView } from '../components/CallView.js';
import { JoinScreen } from '../components/JoinScreen.js';
import { getLocalMedia, type MediaProblem } from '../media/local-media.js';
import { navigate } from '../navigation.js';

const NAME_KEY = 'conclave.displayName';

declare global {
  interface Window {
    /** Diagnostics for tests and support: receive stats of the current call. */
    conclave?: { session: CallSession | null; stats: () => Promise<unknown> };
  }
}

const idleStore = { subscribe: () => () => undefined, getSnapshot: () => initialSnapshot };

export function RoomPage({ roomId }: { roomId: string }) {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problems, setProblems] = useState<MediaProblem[]>([]);
  const [session, setSession] = useState<CallSession | null>(null);
  const [joining, setJoining] = useState(false);
  const [joinError, setJoinError] = useState<string | null>(null);
  const [displayName, setDisplayName] = useState(() => localStorage.getItem(NAME_KEY) ?? '');
  const streamRef = useRef<MediaStream | null>(null);

  const store = session ?? idleStore;
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);

  const acquireMedia = useCallback(async () => {
    const media = await getLocalMedia();
    streamRef.current = media.stream;
    setStream(media.stream);
    setProblems(media.problems);
  }, []);

  useEffect(() => {
    void acquireMedia();
    return () => streamRef.current?.getTracks().forEach((t) => t.stop());
  }, [acquireMedia]);

  const sessionRef = useRef<CallSession | null>(null);
  useEffect(() => {
    sessionRef.current = session;
    window.conclave = { session, stats: () => session?.stats() ?? Promise.resolve([]) };
  }, [session]);
  // Leaving the page (navigation, not a re-render) leaves the call.
  useEffect(() => () => void sessionRef.current?.leave(), []);

  const join = async (name: string, micOn: boolean, cameraOn: boolean) => {
    if (!stream) return;
    localStorage.setItem(NAME_KEY, name);
    setDisplayName(name);
    for (const t of stream.getAudioTracks()) t.enabled = micOn;
    for (const t of stream.getVideoTracks()) {
      if (!cameraOn) {
        t.stop();
        stream.removeTrack(t);
      }
    }
    setJoining(true);
    setJoinError(null);
    const next = new CallSession({ roomId, displayName: name, stream });
    try {
      await next.join();
      streamRef.current = null; // the session owns the tracks now
      setSession(next);
    } catch (err) {
      setJoinError((err as Error).message);
    } finally {
      setJoining(false);
    }
  };

  if (!session) {
    return (
      <JoinScreen
        roomId={roomId}
        videoTrack={stream?.getVideoTracks()[0] ?? null}
        audioTrack={stream?.getAudioTracks()[0] ?? null}
        mediaLoading={stream === null}
        problems={problems}
        initialName={displayName}
        joining={joining}
        error={joinError}
        onJoin={(n, m, c) => void join(n, m, c)}
      />
    );
  }

  if (snapshot.phase === 'ended') {
    return (
      <div className="ended">
        <div className="ended__card">
          <h1>{snapshot.error ? 'The call ended' : 'You left the meeting'}</h1>
          {snapshot.error && <p className="notice notice--error" role="alert">{snapshot.error}</p>}
          <div className="ended__actions">
            <button type="button" className="button button--primary" data-testid="rejoin-button"
              onClick={() => { setSession(null); void acquireMedia(); }}>
              Rejoin
            </button>
            <button type="button" className="button" onClick={() => navigate('/')}>Back to home</button>
          </div>
        </div>
      </div>
    );
  }

  return (
    <CallView
      roomId={roomId}
      displayName={displayName}
      snapshot={snapshot}
      onToggleMic={() => void session.setMicEnabled(!snapshot.micEnabled)}
      onToggleCamera={() => void session.setCameraEnabled(!snapshot.cameraEnabled)}
      onLeave={() => void session.leave()}
    />
  );
}
