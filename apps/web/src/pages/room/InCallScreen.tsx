/**
 * The call: CallView with what this app adds to it (encryption badges and
 * the verification code, host controls, recording, chat, raised hands and
 * reactions with the participants panel, device settings, network quality,
 * keyboard shortcuts). Every action goes to the Meeting or
 * one of its parts.
 */
import { useEffect, useState } from 'react';
import { CallView } from '../../components/CallView.js';
import { ChatPanel, ChatToggle } from '../../components/ChatPanel.js';
import { DeviceSettingsButton } from '../../components/DeviceSettings.js';
import { HandBadge, RaiseHandButton, ReactionsButton, TileReactions } from '../../components/GestureControls.js';
import { ParticipantsPanel, ParticipantsToggle } from '../../components/ParticipantsPanel.js';
import { E2eeBadge } from '../../components/E2eeBadge.js';
import { HostControls } from '../../components/HostControls.js';
import { HostTileActions } from '../../components/HostTileActions.js';
import { InviteLink } from '../../components/InviteLink.js';
import { LobbyPanel } from '../../components/LobbyPanel.js';
import { NetworkQualityIndicator } from '../../components/NetworkQualityIndicator.js';
import { RecordButton, RecordingIndicator, RecordingResult } from '../../components/RecordingControls.js';
import { AdmissionFailedNotice } from '../../components/AdmissionFailedNotice.js';
import { SafetyCodeChip } from '../../components/SafetyCodeChip.js';
import { inviteLink } from '../../e2ee/meeting-key.js';
import { handsInOrder } from '../../gestures/gesture-session.js';
import { tileE2ee } from '../../e2ee/tile-e2ee.js';
import { useDevices } from '../../hooks/useDevices.js';
import { useKeyboardShortcuts } from '../../hooks/useKeyboardShortcuts.js';
import { useMeetingRecording } from '../../hooks/useMeetingRecording.js';
import { useNetworkQuality } from '../../hooks/useNetworkQuality.js';
import { useTileViews } from '../../hooks/useTileViews.js';
import type { CallParts, Meeting } from '../../meeting/meeting.js';
import type { MeetingSnapshot } from '../../meeting/meeting-state.js';

export interface InCallScreenProps {
  roomId: string;
  meeting: Meeting;
  parts: CallParts;
  snapshot: MeetingSnapshot;
  /** The page was opened by the person who just made the room: the invite link shows at once. */
  created: boolean;
}

export function InCallScreen({ roomId, meeting, parts, snapshot, created }: InCallScreenProps) {
  const { call, e2ee, chat: chatLog, gestures: gestureView, secret, displayName } = snapshot;
  const { media, chat, gestures } = parts;
  const publisher = media.publisher;
  // One side panel at a time: the chat or the participants.
  const [panel, setPanel] = useState<'chat' | 'participants' | null>(null);
  const chatOpen = panel === 'chat';
  const toggle = (which: 'chat' | 'participants') => setPanel((p) => (p === which ? null : which));
  const closePanel = (toggleId: string) => {
    setPanel(null);
    document.querySelector<HTMLElement>(`[data-testid="${toggleId}"]`)?.focus();
  };
  // Hands of people here now (a hand of someone who left while we were reconnecting is not counted).
  const here = new Set([call.selfId, ...call.participants.map((p) => p.peerId)]);
  const hands = handsInOrder(gestureView, call.selfId)
    .map((h) => h.peerId)
    .filter((id) => here.has(id));
  const reactionsOf = (peerId: string | null) => gestureView.reactions.filter((r) => r.peerId === peerId);
  // Unread counts only while the chat is closed.
  useEffect(() => chat.setOpen(chatOpen), [chat, chatOpen]);
  const live = call.phase === 'in-call' || call.phase === 'reconnecting';
  const devices = useDevices({
    videoTrack: call.localVideoTrack,
    audioTrack: publisher.microphoneTrack,
    refreshKey: parts,
    switchTo: (kind, deviceId) => publisher.switchDevice(kind, deviceId),
  });
  const leave = () => void meeting.leave();
  useKeyboardShortcuts(
    {
      onToggleMic: () => void publisher.setMicEnabled(!call.micEnabled),
      onToggleCamera: () => void publisher.setCameraEnabled(!call.cameraEnabled),
      onLeave: leave,
    },
    live,
  );
  const quality = useNetworkQuality(media, live);
  const tileViews = useTileViews(media);
  // Local recording: in this browser only; the room is told, the server never sees it.
  const recording = useMeetingRecording(parts.recording, snapshot.recording);
  const recordingOn = recording.view.status !== 'idle';
  // While recording, every remote video is needed, whether this screen shows it or not.
  useEffect(() => tileViews?.setKeepVisible(recordingOn), [tileViews, recordingOn]);
  const isHost = call.role === 'host';

  return (
    <CallView
      tileViews={tileViews}
      groupOnly={Object.values(e2ee.members).filter((m) => !call.participants.some((p) => p.peerId === m.peerId))}
      memberCount={e2ee.safetyCode?.memberCount}
      roomId={roomId}
      displayName={displayName}
      snapshot={call}
      onToggleMic={() => void publisher.setMicEnabled(!call.micEnabled)}
      onToggleCamera={() => void publisher.setCameraEnabled(!call.cameraEnabled)}
      onToggleScreen={() => void publisher.setScreenSharing(call.localScreenTrack === null)}
      onLeave={leave}
      headerExtra={
        <>
          <RecordingIndicator view={recording.view} />
          {isHost && (
            <HostControls
              locked={call.locked}
              onLock={(locked) => void meeting.host('lockRoom', { locked })}
              onEnd={() => void meeting.host('endMeeting', {})}
            />
          )}
          <SafetyCodeChip code={e2ee.safetyCode} refused={e2ee.refused} refusedReason={e2ee.refusedReason} secretKind={e2ee.secretKind} />
          <AdmissionFailedNotice failures={e2ee.admissionFailures} kind={e2ee.secretKind} />
          <InviteLink
            link={inviteLink(roomId, secret?.kind === 'link' ? secret.key : null)}
            initiallyOpen={created}
            othersPresent={call.participants.length > 0}
          />
        </>
      }
      decorateSelf={() => ({
        attrs: { 'data-hand-raised': gestureView.ownHand !== null ? 'true' : 'false' },
        badge: gestureView.ownHand !== null ? <HandBadge name="You" /> : undefined,
        overlay: <TileReactions emojis={reactionsOf(null)} />,
      })}
      decorateRemote={(p) => {
        const view = e2ee.tiles[p.peerId] ?? tileE2ee('not-in-group', undefined, undefined, e2ee.inGroup ? 'in-group' : 'joining');
        const mic = p.media.find((m) => m.source === 'mic');
        const handUp = gestureView.hands[p.peerId] !== undefined;
        return {
          attrs: {
            'data-e2ee': view.state,
            'data-origin': view.origin,
            'data-role': p.role,
            'data-hand-raised': handUp ? 'true' : 'false',
          },
          badge: (
            <>
              {handUp && <HandBadge name={p.displayName} />}
              <E2eeBadge view={view} />
              <NetworkQualityIndicator quality={quality.peers[p.peerId] ?? null} />
            </>
          ),
          overlay: <TileReactions emojis={reactionsOf(p.peerId)} />,
          hideVideo: view.state === 'cannot-decrypt' || view.origin === 'failed',
          actions: isHost ? (
            <HostTileActions
              name={p.displayName}
              audioMuted={!mic || mic.paused}
              onMute={() => void meeting.host('mutePeer', { peerId: p.peerId })}
              onRemove={() => void meeting.host('removePeer', { peerId: p.peerId })}
            />
          ) : undefined,
        };
      }}
      controlsExtra={
        <>
          <RecordButton view={recording.view} unsupported={recording.unsupported} onToggle={recording.toggle} />
          <DeviceSettingsButton lists={devices.lists} selected={devices.selected} onSelect={devices.onSelect} busy={devices.busy} />
          <RaiseHandButton raised={gestureView.ownHand !== null} onToggle={() => gestures.toggleHand()} />
          <ReactionsButton onReact={(emoji) => gestures.react(emoji)} />
          <ParticipantsToggle open={panel === 'participants'} hands={hands.length} onToggle={() => toggle('participants')} />
          <ChatToggle open={chatOpen} unread={chatLog.unread} onToggle={() => toggle('chat')} />
          <NetworkQualityIndicator quality={quality.self} self />
        </>
      }
      sidePanel={
        chatOpen ? (
          <ChatPanel
            log={chatLog}
            onSend={(text) => chat.send(text, displayName)}
            onRetry={(id) => chat.retry(id)}
            initialDraft={chat.draft}
            onDraftChange={(draft) => chat.setDraft(draft)}
            onClose={() => closePanel('toggle-chat')}
          />
        ) : panel === 'participants' ? (
          <ParticipantsPanel
            people={[
              { peerId: call.selfId ?? 'self', name: displayName, isSelf: true, host: isHost },
              ...call.participants.map((p) => ({ peerId: p.peerId, name: p.displayName, isSelf: false, host: p.role === 'host' })),
            ]}
            hands={hands}
            onLowerHand={isHost ? (peerId) => gestures.lowerHand(peerId) : undefined}
            onClose={() => closePanel('toggle-participants')}
          />
        ) : undefined
      }
      overlay={
        <>
          {isHost && (
            <LobbyPanel
              waiting={call.lobby}
              onDecide={(requestId, admit) => void meeting.host(admit ? 'lobbyAdmit' : 'lobbyDeny', { requestId })}
            />
          )}
          <RecordingResult view={recording.view} onDismiss={recording.dismiss} />
        </>
      }
    />
  );
}
