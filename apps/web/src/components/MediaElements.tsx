/** <video> and <audio> elements bound to a MediaStreamTrack. */
import { useEffect, useMemo, useRef, type VideoHTMLAttributes } from 'react';
import { applySpeaker, speakerStore } from '../media/devices.js';
import { useStore } from '../state/use-store.js';

/** One MediaStream per track, kept while the track is the same. */
function useTrackStream(track: MediaStreamTrack | null): MediaStream | null {
  return useMemo(() => (track ? new MediaStream([track]) : null), [track]);
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
  const speaker = useStore(speakerStore).deviceId;
  useEffect(() => {
    if (ref.current) void applySpeaker(ref.current, speaker);
  }, [speaker]);
  return <audio ref={ref} autoPlay />;
}
