/**
 * Which cameras, microphones and speakers there are, and which ones this
 * person chose last time. Only device ids are remembered (in localStorage);
 * labels appear once the browser has granted access to media.
 */
import { useEffect, useState } from 'react';
import { Store } from '../state/store.js';

export type DeviceKind = 'videoinput' | 'audioinput' | 'audiooutput';

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export type DeviceLists = Record<DeviceKind, DeviceOption[]>;

const STORAGE_KEY: Record<DeviceKind, string> = {
  videoinput: 'conclave.device.camera',
  audioinput: 'conclave.device.microphone',
  audiooutput: 'conclave.device.speaker',
};

const FALLBACK_LABEL: Record<DeviceKind, string> = {
  videoinput: 'Camera',
  audioinput: 'Microphone',
  audiooutput: 'Speaker',
};

export const emptyDeviceLists: DeviceLists = { videoinput: [], audioinput: [], audiooutput: [] };

export function savedDeviceId(kind: DeviceKind): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY[kind]);
  } catch {
    return null;
  }
}

export function saveDeviceId(kind: DeviceKind, deviceId: string): void {
  try {
    localStorage.setItem(STORAGE_KEY[kind], deviceId);
  } catch {
    // Storage may be unavailable (private mode); the choice then lasts this page only.
  }
}

/** Lists devices by kind, with readable labels and without duplicate ids. */
export async function listDevices(): Promise<DeviceLists> {
  if (!navigator.mediaDevices?.enumerateDevices) return emptyDeviceLists;
  const all = await navigator.mediaDevices.enumerateDevices().catch(() => [] as MediaDeviceInfo[]);
  const lists: DeviceLists = { videoinput: [], audioinput: [], audiooutput: [] };
  for (const d of all) {
    const kind = d.kind;
    const list = lists[kind];
    if (!list || !d.deviceId || list.some((o) => o.deviceId === d.deviceId)) continue;
    list.push({ deviceId: d.deviceId, label: d.label || `${FALLBACK_LABEL[kind]} ${list.length + 1}` });
  }
  return lists;
}

/** Whether this browser can choose where audio plays (HTMLMediaElement.setSinkId). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** The device lists, refreshed when `refreshKey` changes (after permission) and on `devicechange`. */
export function useDeviceLists(refreshKey: unknown): DeviceLists {
  const [lists, setLists] = useState<DeviceLists>(emptyDeviceLists);
  useEffect(() => {
    let alive = true;
    const refresh = () => void listDevices().then((l) => alive && setLists(l));
    refresh();
    navigator.mediaDevices?.addEventListener?.('devicechange', refresh);
    return () => {
      alive = false;
      navigator.mediaDevices?.removeEventListener?.('devicechange', refresh);
    };
  }, [refreshKey]);
  return lists;
}

/** The id of the device a track comes from, when the browser says. */
export function trackDeviceId(track: MediaStreamTrack | null | undefined): string | null {
  return track?.getSettings?.().deviceId ?? null;
}

/** Plays audio elements on the chosen speaker; a failure leaves the default. */
export async function applySpeaker(el: HTMLMediaElement, deviceId: string | null): Promise<void> {
  if (!deviceId || !canChooseSpeaker()) return;
  const withSink = el as HTMLMediaElement & { setSinkId(id: string): Promise<void>; sinkId?: string };
  if (withSink.sinkId === deviceId) return;
  await withSink.setSinkId(deviceId).catch(() => undefined);
}

/** The chosen speaker, shared by every <audio> element of the call. */
export const speakerStore = new Store<{ deviceId: string | null }>({ deviceId: savedDeviceId('audiooutput') });

/** Plays the call on this speaker from now on, and remembers it. */
export function chooseSpeaker(deviceId: string): void {
  saveDeviceId('audiooutput', deviceId);
  speakerStore.set({ deviceId });
}
