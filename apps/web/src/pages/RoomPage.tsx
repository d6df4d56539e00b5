/**
 * /r/<roomId>: a view over the room's Meeting (hooks/useMeeting.ts) that
 * picks the screen: no such room, join, lobby, the call, or its end. The
 * preview's camera and microphone (hooks/usePreviewMedia.ts) are asked for
 * as the page opens and handed to the call on join.
 */
import { useState } from 'react';
import { AccessError } from '../api/room-access.js';
import { useMeeting } from '../hooks/useMeeting.js';
import { usePreviewMedia } from '../hooks/usePreviewMedia.js';
import { CallEndedScreen } from './room/CallEndedScreen.js';
import { InCallScreen } from './room/InCallScreen.js';
import { JoinRoomScreen, type RoomSecrets } from './room/JoinRoomScreen.js';
import { LobbyWaitingScreen } from './room/LobbyWaitingScreen.js';
import { NoSuchRoomScreen } from './room/NoSuchRoomScreen.js';

export function RoomPage({ roomId }: { roomId: string }) {
  const { meeting, support, snapshot } = useMeeting(roomId);
  const preview = usePreviewMedia();
  const [secrets, setSecrets] = useState<RoomSecrets>({ passphrase: '', roomPassword: '' });
  const [created] = useState(() => (window.history.state as { created?: boolean } | null)?.created === true);
  const parts = meeting.current;

  switch (snapshot.screen) {
    case 'not-found':
      return <NoSuchRoomScreen />;
    case 'waiting': {
      const room = snapshot.room instanceof AccessError ? null : snapshot.room;
      return <LobbyWaitingScreen roomName={room?.name ?? roomId} onCancel={() => meeting.cancelWaiting()} />;
    }
    case 'ended':
      return (
        <CallEndedScreen
          error={snapshot.call.error}
          recording={snapshot.recording}
          onDismissRecording={() => parts?.recording.dismiss()}
          onRejoin={() => {
            meeting.backToJoin();
            void preview.reacquire();
          }}
        />
      );
    case 'in-call':
      if (parts) return <InCallScreen roomId={roomId} meeting={meeting} parts={parts} snapshot={snapshot} created={created} />;
  }
  return (
    <JoinRoomScreen
      roomId={roomId}
      snapshot={snapshot}
      preview={preview}
      support={support}
      secrets={secrets}
      onSecretsChange={setSecrets}
      onJoin={(choice) => {
        if (!preview.stream) return;
        void meeting.join({ ...choice, stream: preview.stream }).then((joined) => joined && preview.release());
      }}
    />
  );
}
