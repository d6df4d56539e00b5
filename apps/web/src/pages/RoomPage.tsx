/**
 * /r/<roomId>: the join screen, then the call, then the "you left" screen.
 * Local media is acquired on arrival so the preview shows at once; the
 * CallSession takes the tracks over when the person joins. End-to-end
 * encryption is always on: the meeting key comes from the link or a
 * passphrase, and a browser that cannot transform frames cannot join.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { detectFrameTransformSupport } from '@conclave/e2ee/media';
import type { PublicRoom } from '@conclave/protocol';
import { AccessError, fetchPublicRoom, ticketedConnect } from '../api/room-access.js';
import { CallSession } from '../call/call-session.js';
import { initialSnapshot } from '../call/call-state.js';
import { CallView } from '../components/CallView.js';
import { ChatPanel, ChatToggle } from '../components/ChatPanel.js';
import { emptyChatLog } from '../chat/chat-log.js';
import { ChatSession } from '../chat/chat-session.js';
import { E2eeBadge } from '../components/E2eeBadge.js';
import { InviteLink } from '../components/InviteLink.js';
import { JoinScreen } from '../components/JoinScreen.js';
import { SafetyCodeChip } from '../components/SafetyCodeChip.js';
import { HostControls } from '../components/HostControls.js';
import { HostTileActions } from '../components/HostTileActions.js';
import { LobbyPanel } from '../components/LobbyPanel.js';
import { E2eeSession, type E2eeSnapshot } from '../e2ee/e2ee-session.js';
import { e2eeSummary } from '../e2ee/e2ee-summary.js';
import { inviteLink, meetingKeyFromPassphrase, readLinkKey, type LinkKey } from '../e2ee/meeting-key.js';
import { tileE2ee } from '../e2ee/tile-e2ee.js';
import { installDiagnostics } from '../diagnostics.js';
import { getCameraTrack, getLocalMedia, getMicrophoneTrack, type MediaProblem } from '../media/local-media.js';
import { DeviceSelects, DeviceSettingsButton } from '../components/DeviceSettings.js';
import { NetworkQualityIndicator } from '../components/NetworkQualityIndicator.js';
import { useDevices } from '../hooks/useDevices.js';
import { useKeyboardShortcuts } from '../hooks/useKeyboardShortcuts.js';
import { useNetworkQuality } from '../hooks/useNetworkQuality.js';
import { useTileViews } from '../hooks/useTileViews.js';
import { useMeetingRecording } from '../hooks/useMeetingRecording.js';
import { RecordButton, RecordingIndicator, RecordingResult } from '../components/RecordingControls.js';
import { navigate } from '../navigation.js';

const NAME_KEY = 'conclave.displayName';
const UNSUPPORTED =
  'This browser cannot encrypt video frames end to end, so it cannot join a Conclave meeting. ' +
  'Use a current version of Chrome, Edge, Firefox or Safari.';

const idleCall = { subscribe: () => () => undefined, getSnapshot: () => initialSnapshot };
const idleE2ee: E2eeSnapshot = { safetyCode: null, sending: false, tiles: {}, activeKid: null, activeSince: null, lastLeaveAt: null };
const idleE2eeStore = { subscribe: () => () => undefined, getSnapshot: () => idleE2ee };
const idleChat = { subscribe: () => () => undefined, getSnapshot: () => emptyChatLog };

export function RoomPage({ roomId }: { roomId: string }) {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problems, setProblems] = useState<MediaProblem[]>([]);
  const [session, setSession] = useState<CallSession | null>(null);
  const [e2ee, setE2ee] = useState<E2eeSession | null>(null);
  const [chat, setChat] = useState<ChatSession | null>(null);
  const [chatOpen, setChatOpen] = useState(false);
  const [linkKey, setLinkKey] = useState<LinkKey | null>(null);
  const [secret, setSecret] = useState<Uint8Array | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [roomPassword, setRoomPassword] = useState('');
  const [roomInfo, setRoomInfo] = useState<PublicRoom | AccessError | null>(null);
  const [inCall, setInCall] = useState(false);
  const [joining, setJoining] = useState<false | 'key' | 'call'>(false);
  const [joinError, setJoinError] = useState<string | null>(null);
  const [displayName, setDisplayName] = useState(() => localStorage.getItem(NAME_KEY) ?? '');
  const [created] = useState(() => (window.history.state as { created?: boolean } | null)?.created === true);
  const [support] = useState(() => detectFrameTransformSupport());
  const streamRef = useRef<MediaStream | null>(null);

  const snapshot = useSyncExternalStore((session ?? idleCall).subscribe, (session ?? idleCall).getSnapshot);
  const e2eeSnap = useSyncExternalStore((e2ee ?? idleE2eeStore).subscribe, (e2ee ?? idleE2eeStore).getSnapshot);
  const chatLog = useSyncExternalStore((chat ?? idleChat).subscribe, (chat ?? idleChat).getSnapshot);
  // Unread counts only while the chat is closed; a chat ends with its meeting.
  useEffect(() => chat?.setOpen(chatOpen), [chat, chatOpen]);
  useEffect(() => () => chat?.dispose(), [chat]);

  const acquireMedia = useCallback(async () => {
    const media = await getLocalMedia();
    streamRef.current = media.stream;
    setStream(media.stream);
    setProblems(media.problems);
  }, []);

  useEffect(() => {
    void acquireMedia();
    void readLinkKey().then(setLinkKey);
    fetchPublicRoom(roomId).then(setRoomInfo, (err: unknown) =>
      setRoomInfo(err instanceof AccessError ? err : new AccessError('unknown', String(err))),
    );
    return () => streamRef.current?.getTracks().forEach((t) => t.stop());
  }, [acquireMedia, roomId]);

  // Tell the server what this browser sees of encryption (for the admin page), when it changes.
  const reported = useRef<string | null>(null);
  useEffect(() => {
    if (!session || !inCall || snapshot.phase !== 'in-call') return;
    const summary = e2eeSummary(e2eeSnap);
    if (summary === reported.current) return;
    reported.current = summary;
    session.reportStatus(summary);
  }, [session, inCall, snapshot.phase, e2eeSnap]);

  const tileViews = useTileViews(session);
  const live = useRef<{ session: CallSession | null; e2ee: E2eeSession | null }>({ session: null, e2ee: null });
  useEffect(() => {
    live.current = { session, e2ee };
    installDiagnostics(session, e2ee);
  }, [session, e2ee]);
  // Leaving the page (navigation, not a re-render) leaves the call and forgets the keys.
  useEffect(
    () => () => {
      void live.current.session?.leave();
      live.current.e2ee?.dispose();
    },
    [],
  );

  // Devices: before joining they switch the preview stream's tracks; in the call, the producers' tracks.
  const callLive = session !== null && inCall && (snapshot.phase === 'in-call' || snapshot.phase === 'reconnecting');
  const switchPreview = async (kind: 'audioinput' | 'videoinput', deviceId: string): Promise<boolean> => {
    if (!stream) return false;
    const isMic = kind === 'audioinput';
    const old = isMic ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    if (old?.getSettings().deviceId === deviceId) return true;
    const track = isMic ? await getMicrophoneTrack(deviceId) : await getCameraTrack(deviceId);
    if (typeof track === 'string') {
      setProblems((p) => (p.includes(track) ? p : [...p, track]));
      return false;
    }
    if (old) {
      track.enabled = old.enabled;
      old.stop();
    }
    const next = new MediaStream([...stream.getTracks().filter((t) => t !== old), track]);
    streamRef.current = next;
    setStream(next);
    return true;
  };
  const devices = useDevices({
    videoTrack: callLive ? snapshot.localVideoTrack : (stream?.getVideoTracks()[0] ?? null),
    audioTrack: callLive ? session.microphoneTrack : (stream?.getAudioTracks()[0] ?? null),
    refreshKey: stream,
    switchTo: (kind, deviceId) => (callLive && session ? session.switchDevice(kind, deviceId) : switchPreview(kind, deviceId)),
  });
  useKeyboardShortcuts(
    {
      onToggleMic: () => void session?.setMicEnabled(!snapshot.micEnabled),
      onToggleCamera: () => void session?.setCameraEnabled(!snapshot.cameraEnabled),
      onLeave: () => void session?.leave().then(() => e2ee?.dispose()),
    },
    callLive,
  );
  const quality = useNetworkQuality(session, callLive);
  // Local recording: in this browser only; the room is told, the server never sees it.
  const recording = useMeetingRecording(session, {
    selfName: displayName,
    roomName: snapshot.roomName ?? roomId,
    isHidden: (peerId) => e2ee?.getSnapshot().tiles[peerId]?.state === 'cannot-decrypt',
  });
  const recordingOn = recording.view.status !== 'idle';
  // While recording, every remote video is needed, whether this screen shows it or not.
  useEffect(() => tileViews?.setKeepVisible(recordingOn), [tileViews, recordingOn]);

  const join = async (name: string, micOn: boolean, cameraOn: boolean) => {
    if (!stream || support === 'none') return;
    localStorage.setItem(NAME_KEY, name);
    setDisplayName(name);
    setJoinError(null);
    let key = linkKey?.kind === 'link' ? linkKey.secret : null;
    if (!key) {
      setJoining('key');
      try {
        key = await meetingKeyFromPassphrase(passphrase, roomId);
      } catch (err) {
        setJoining(false);
        setJoinError(`Could not derive the meeting key: ${(err as Error).message}`);
        return;
      }
    }
    for (const t of stream.getAudioTracks()) t.enabled = micOn;
    for (const t of stream.getVideoTracks()) {
      if (!cameraOn) {
        t.stop();
        stream.removeTrack(t);
      }
    }
    setJoining('call');
    const encryption = new E2eeSession(roomId, key, support);
    // Chat listens on every signaling connection the call opens (first join and rejoins).
    const chatSession = new ChatSession({
      crypto: encryption,
      nameOf: (peerId) => next.getSnapshot().participants.find((p) => p.peerId === peerId)?.displayName,
    });
    const connect = ticketedConnect(roomId, roomPassword || undefined);
    const next = new CallSession({
      roomId,
      displayName: name,
      stream,
      transforms: encryption,
      onJoined: encryption.onJoined,
      connect: async (rejoinPass) => {
        const signaling = await connect(rejoinPass);
        chatSession.attach(signaling);
        return signaling;
      },
    });
    // Shown at once: while a lobby keeps the guest waiting, the page shows the waiting room.
    setSecret(key);
    setE2ee(encryption);
    setChat(chatSession);
    setChatOpen(false);
    setSession(next);
    reported.current = null;
    try {
      await next.join();
      streamRef.current = null; // the session owns the tracks now
      setInCall(true);
    } catch (err) {
      encryption.dispose();
      setE2ee(null);
      setChat(null);
      setSession(null);
      setJoinError((err as Error).message);
    } finally {
      setJoining(false);
    }
  };

  if (roomInfo instanceof AccessError && roomInfo.code === 'not_found') {
    return (
      <div className="ended">
        <div className="ended__card" data-testid="no-such-room">
          <h1>No meeting here</h1>
          <p className="muted">There is no meeting at this address. Check the link you were given, or ask its host for a new one.</p>
          <button type="button" className="button button--primary" onClick={() => navigate('/')}>Go to the home page</button>
        </div>
      </div>
    );
  }

  if (session && !inCall && snapshot.phase === 'waiting') {
    return (
      <div className="waiting">
        <div className="waiting__card" data-testid="lobby-waiting" role="status">
          <div className="waiting__spinner" aria-hidden="true" />
          <h1>Waiting to be let in</h1>
          <p className="muted">A host of “{roomInfo && !(roomInfo instanceof AccessError) ? roomInfo.name : roomId}” has been told you are here.</p>
          <button type="button" className="button" onClick={() => void session.leave()}>Cancel</button>
        </div>
      </div>
    );
  }

  if (!session || !inCall) {
    const needsPassphrase = linkKey !== null && linkKey.kind !== 'link';
    const info = roomInfo instanceof AccessError ? null : roomInfo;
    return (
      <JoinScreen
        roomId={roomId}
        roomName={info && info.name !== roomId ? info.name : undefined}
        videoTrack={stream?.getVideoTracks()[0] ?? null}
        audioTrack={stream?.getAudioTracks()[0] ?? null}
        mediaLoading={stream === null}
        problems={problems}
        initialName={displayName}
        joining={joining !== false}
        error={joinError}
        unavailable={support === 'none' ? UNSUPPORTED : null}
        ready={linkKey !== null && info !== null && (!needsPassphrase || passphrase.length > 0) && (!info.hasPassword || roomPassword.length > 0)}
        onJoin={(n, m, c) => void join(n, m, c)}
        deviceSettings={<DeviceSelects lists={devices.lists} selected={devices.selected} onSelect={devices.onSelect} busy={devices.busy} />}
      >
        {info?.hasPassword && (
          <label className="field">
            <span>Room password</span>
            <input data-testid="room-password" type="password" value={roomPassword} autoComplete="off"
              placeholder="Given to you with the invitation" onChange={(e) => setRoomPassword(e.target.value)} />
          </label>
        )}
        {info?.lobby && <p className="field__hint">A host lets people into this meeting: you will wait a moment after joining.</p>}
        {info?.locked && <p className="notice notice--warn">The meeting is locked: only its hosts can join right now.</p>}
        {roomInfo instanceof AccessError && <p className="notice notice--error">{roomInfo.message}</p>}
        {needsPassphrase && (
          <label className="field">
            <span>Meeting passphrase</span>
            <input data-testid="e2ee-passphrase" type="password" value={passphrase} autoComplete="off"
              placeholder="The passphrase you were given" onChange={(e) => setPassphrase(e.target.value)} />
            <span className="field__hint">
              {linkKey?.kind === 'damaged'
                ? `The meeting key in this link is damaged (${linkKey.message}). Ask for the link again, or enter the passphrase.`
                : 'This link carries no meeting key. The passphrase encrypts the meeting end to end; it never leaves this browser.'}
            </span>
          </label>
        )}
        {joining === 'key' && <p className="notice notice--info">Deriving the meeting key from the passphrase…</p>}
      </JoinScreen>
    );
  }

  if (snapshot.phase === 'ended') {
    return (
      <div className="ended">
        <div className="ended__card">
          <h1>{snapshot.error ? 'The call ended' : 'You left the meeting'}</h1>
          {snapshot.error && <p className="notice notice--error" role="alert">{snapshot.error}</p>}
          <RecordingResult view={recording.view} onDismiss={recording.dismiss} inline />
          <div className="ended__actions">
            <button type="button" className="button button--primary" data-testid="rejoin-button"
              onClick={() => {
                e2ee?.dispose();
                setE2ee(null);
                setChat(null);
                setSession(null);
                setInCall(false);
                void acquireMedia();
              }}>
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
      tileViews={tileViews}
      roomId={roomId}
      displayName={displayName}
      snapshot={snapshot}
      onToggleMic={() => void session.setMicEnabled(!snapshot.micEnabled)}
      onToggleCamera={() => void session.setCameraEnabled(!snapshot.cameraEnabled)}
      onToggleScreen={() => void session.setScreenSharing(snapshot.localScreenTrack === null)}
      onLeave={() => {
        void session.leave().then(() => e2ee?.dispose());
      }}
      headerExtra={
        <>
          <RecordingIndicator view={recording.view} />
          {snapshot.role === 'host' && (
            <HostControls locked={snapshot.locked} onLock={(locked) => void session.host('lockRoom', { locked })} onEnd={() => void session.host('endMeeting')} />
          )}
          <SafetyCodeChip code={e2eeSnap.safetyCode} />
          <InviteLink link={inviteLink(roomId, linkKey?.kind === 'link' ? secret : null)} initiallyOpen={created} othersPresent={snapshot.participants.length > 0} />
        </>
      }
      decorateRemote={(p) => {
        const view = e2eeSnap.tiles[p.peerId] ?? tileE2ee('unknown', undefined);
        const mic = p.media.find((m) => m.source === 'mic');
        return {
          attrs: { 'data-e2ee': view.state, 'data-role': p.role },
          badge: (
            <>
              <E2eeBadge view={view} />
              <NetworkQualityIndicator quality={quality.peers[p.peerId] ?? null} />
            </>
          ),
          hideVideo: view.state === 'cannot-decrypt',
          actions:
            snapshot.role === 'host' ? (
              <HostTileActions name={p.displayName} audioMuted={!mic || mic.paused}
                onMute={() => void session.host('mutePeer', { peerId: p.peerId })}
                onRemove={() => void session.host('removePeer', { peerId: p.peerId })} />
            ) : undefined,
        };
      }}
      controlsExtra={
        <>
          <RecordButton view={recording.view} unsupported={recording.unsupported} onToggle={recording.toggle} />
          <DeviceSettingsButton lists={devices.lists} selected={devices.selected} onSelect={devices.onSelect} busy={devices.busy} />
          <ChatToggle open={chatOpen} unread={chatLog.unread} onToggle={() => setChatOpen((o) => !o)} />
          <NetworkQualityIndicator quality={quality.self} self />
        </>
      }
      sidePanel={
        chat && chatOpen ? (
          <ChatPanel
            log={chatLog}
            onSend={(text) => chat.send(text, displayName)}
            onRetry={(id) => chat.retry(id)}
            initialDraft={chat.draft}
            onDraftChange={(draft) => (chat.draft = draft)}
            onClose={() => {
              setChatOpen(false);
              document.querySelector<HTMLElement>('[data-testid="toggle-chat"]')?.focus();
            }}
          />
        ) : undefined
      }
      overlay={
        <>
          {snapshot.role === 'host' && (
            <LobbyPanel waiting={snapshot.lobby} onDecide={(requestId, admit) => void session.host(admit ? 'lobbyAdmit' : 'lobbyDeny', { requestId })} />
          )}
          <RecordingResult view={recording.view} onDismiss={recording.dismiss} />
        </>
      }
    />
  );
}
