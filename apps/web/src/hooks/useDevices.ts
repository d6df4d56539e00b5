/**
 * The device lists and the current choice of camera, microphone and speaker,
 * for the join screen and the call. `switchTo` opens the chosen device (on
 * the preview stream before joining, on the call's producers during it);
 * a choice that worked is remembered.
 */
import { useState } from 'react';
import { useStore } from '../state/use-store.js';
import type { DeviceChoice } from '../components/DeviceSettings.js';
import {
  chooseSpeaker,
  saveDeviceId,
  savedDeviceId,
  speakerStore,
  trackDeviceId,
  useDeviceLists,
  type DeviceKind,
  type DeviceLists,
} from '../media/devices.js';

export interface Devices {
  lists: DeviceLists;
  selected: DeviceChoice;
  busy: DeviceKind | null;
  onSelect: (kind: DeviceKind, deviceId: string) => void;
}

export function useDevices(options: {
  videoTrack: MediaStreamTrack | null;
  audioTrack: MediaStreamTrack | null;
  refreshKey: unknown;
  switchTo: (kind: 'audioinput' | 'videoinput', deviceId: string) => Promise<boolean>;
}): Devices {
  const lists = useDeviceLists(options.refreshKey);
  const speaker = useStore(speakerStore).deviceId;
  const [busy, setBusy] = useState<DeviceKind | null>(null);
  const [chosen, setChosen] = useState<{ videoinput: string | null; audioinput: string | null }>(() => ({
    videoinput: savedDeviceId('videoinput'),
    audioinput: savedDeviceId('audioinput'),
  }));
  const live = (t: MediaStreamTrack | null) => (t && t.readyState !== 'ended' ? trackDeviceId(t) : null);
  const selected: DeviceChoice = {
    videoinput: live(options.videoTrack) ?? chosen.videoinput,
    audioinput: live(options.audioTrack) ?? chosen.audioinput,
    audiooutput: speaker,
  };
  const onSelect = (kind: DeviceKind, deviceId: string) => {
    if (kind === 'audiooutput') {
      chooseSpeaker(deviceId);
      return;
    }
    setBusy(kind);
    void options
      .switchTo(kind, deviceId)
      .then((ok) => {
        if (!ok) return;
        saveDeviceId(kind, deviceId);
        setChosen((c) => ({ ...c, [kind]: deviceId }));
      })
      .finally(() => setBusy(null));
  };
  return { lists, selected, busy, onSelect };
}
