/** <video> and <audio> elements bound to a MediaStreamTrack. */
import { useEffect, useRef, useSyncExternalStore, type VideoHTMLAttributes } from 'react';
import { applySpeaker, speakerStore } from '../media/devices.js';

function useTrackStream(track: MediaStreamTrack | null): MediaStream | null {
  const streamRef = useRef<{ track: MediaStreamTrack | null; stream: MediaStream | null }>({ track: null, stream: null });
  if (streamRef.current.track !== track) {
    streamRef.current = { track, stream: track ? new MediaStream([track]) : null };
  }
  return streamRef.current.stream;
}

export function TrackVideo({
  track,
  ...props
}: { track: MediaStreamTrack | null } & VideoHTMLAttributes<HTMLVideoElement> & { 'data-testid'?: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  const stream = useTrackStream(track);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = stream;
    if (stream) el.play().catch(() => undefined);
  }, [stream]);
  return <video ref={ref} autoPlay playsInline muted {...props} />;
}

export function TrackAudio({ track }: { track: MediaStreamTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  const stream = useTrackStream(track);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = stream;
    el.play().catch(() => undefined);
  }, [stream]);
  const speaker = useSyncExternalStore(speakerStore.subscribe, speakerStore.get);
  useEffect(() => {
    if (ref.current) void applySpeaker(ref.current, speaker);
  }, [speaker]);
  return <audio ref={ref} autoPlay />;
}
