/**
 * The join screen's camera and microphone: asked for as the page opens, so
 * the preview shows at once; switched to another device the same way the
 * call switches (media/device-switch.ts); handed over to the call on join,
 * and stopped if the page closes first.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { openReplacement, type InputKind } from '../media/device-switch.js';
import { browserTracks, getLocalMedia, type LocalMedia, type MediaProblem } from '../media/local-media.js';

export interface PreviewMedia {
  /** null while the browser is asked. */
  stream: MediaStream | null;
  problems: MediaProblem[];
  /** Asks for the devices again (back on the join screen after a call). */
  reacquire: () => Promise<void>;
  /** The call owns the tracks now: the preview no longer stops them. */
  release: () => void;
  switchDevice: (kind: InputKind, deviceId: string) => Promise<boolean>;
}

export function usePreviewMedia(): PreviewMedia {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problems, setProblems] = useState<MediaProblem[]>([]);
  const owned = useRef<MediaStream | null>(null);

  const show = useCallback((media: LocalMedia) => {
    owned.current = media.stream;
    setStream(media.stream);
    setProblems(media.problems);
  }, []);
  const reacquire = useCallback(() => getLocalMedia().then(show), [show]);

  useEffect(() => {
    let alive = true;
    void getLocalMedia().then((media) => {
      if (alive) show(media);
      else media.stream.getTracks().forEach((t) => t.stop());
    });
    return () => {
      alive = false;
      owned.current?.getTracks().forEach((t) => t.stop());
    };
  }, [show]);

  const switchDevice = async (kind: InputKind, deviceId: string): Promise<boolean> => {
    if (!stream) return false;
    const old = (kind === 'audioinput' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0]) ?? null;
    const track = await openReplacement(browserTracks, kind, old, deviceId);
    if (track === 'same') return true;
    if (typeof track === 'string') {
      setProblems((p) => (p.includes(track) ? p : [...p, track]));
      return false;
    }
    old?.stop();
    const next = new MediaStream([...stream.getTracks().filter((t) => t !== old), track]);
    owned.current = next;
    setStream(next);
    return true;
  };

  const release = useCallback(() => {
    owned.current = null;
  }, []);

  return { stream, problems, reacquire, release, switchDevice };
}
