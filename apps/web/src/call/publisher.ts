/**
 * This participant's own media: the microphone, camera and screen tracks,
 * their producers on the current send transport, and turning each on and
 * off or onto another device. The tracks outlive rejoins (each new media
 * connection produces them again); the producers do not.
 */
import type { MediaSource } from '@conclave/protocol';
import { openReplacement, type InputKind } from '../media/device-switch.js';
import { problemText, type TrackSource } from '../media/local-media.js';
import type { Signaling } from '../signaling/signaling-port.js';
import { Store } from '../state/store.js';
import type { MediaDevice, MediaProducer, MediaTransport } from './media-device.js';
import type { MediaTransforms } from './media-transforms.js';
import { simulcastEncodings } from './simulcast.js';
import { noticeText } from '../notices/notice-text.js';

/** VP8 for camera video (every browser decodes it; simulcast-ready); Opus for audio. */
const PREFERRED_CODEC = { video: 'video/vp8', audio: 'audio/opus' } as const;

export interface PublisherState {
  micEnabled: boolean;
  cameraEnabled: boolean;
  localVideoTrack: MediaStreamTrack | null;
  /** This participant's own screen share, while it is on. */
  localScreenTrack: MediaStreamTrack | null;
}

/** Where the producers go: the current connection's send transport. */
export interface SendLink {
  signaling: Signaling;
  device: MediaDevice;
  transport: MediaTransport;
}

export interface PublisherOptions {
  tracks: TrackSource;
  transforms?: MediaTransforms | undefined;
  /** A short sentence for the person (a device that would not open). */
  notify: (text: string) => void;
}

export class Publisher {
  readonly store: Store<PublisherState>;
  private readonly producers = new Map<MediaSource, MediaProducer>();
  private link: SendLink | null = null;
  private mic: MediaStreamTrack | null;
  private camera: MediaStreamTrack | null;
  private screen: MediaStreamTrack | null = null;
  /** The shared tab's sound, while the screen share has it. */
  private screenAudio: MediaStreamTrack | null = null;
  private stopped = false;

  /** Takes over the join screen's tracks (their enabled flags say what is on). */
  constructor(
    stream: MediaStream,
    private readonly options: PublisherOptions,
  ) {
    this.mic = stream.getAudioTracks()[0] ?? null;
    this.camera = stream.getVideoTracks()[0] ?? null;
    this.store = new Store<PublisherState>({
      micEnabled: this.mic?.enabled ?? false,
      cameraEnabled: this.camera?.enabled ?? false,
      localVideoTrack: this.camera,
      localScreenTrack: null,
    });
  }

  /** The microphone track being sent (or held while muted), for the device settings and recording. */
  get microphoneTrack(): MediaStreamTrack | null {
    return this.mic;
  }

  /** Sends every track on a new connection (each join and rejoin). */
  async attach(link: SendLink): Promise<void> {
    this.link = link;
    if (this.mic) await this.produce('mic', this.mic);
    if (this.camera) await this.produce('camera', this.camera);
    if (this.screen) await this.produce('screen', this.screen).catch(() => this.stopScreenShare());
    if (this.screen && this.screenAudio) await this.produce('screen-audio', this.screenAudio).catch(() => this.stopScreenAudio());
  }

  /** The connection is gone (its transport closed the producers): keep the tracks for the next. */
  detach(): void {
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.link = null;
  }

  /** The call is over: stop every track (camera light off). */
  stop(): void {
    this.detach();
    this.stopped = true;
    this.mic?.stop();
    this.camera?.stop();
    this.screen?.stop();
    this.screen = null;
    this.screenAudio?.stop();
    this.screenAudio = null;
    this.store.update({ localVideoTrack: null, localScreenTrack: null });
  }

  async setMicEnabled(enabled: boolean): Promise<void> {
    if (enabled && !this.mic) {
      const track = await this.options.tracks.microphone();
      if (typeof track === 'string') return this.options.notify(problemText[track]);
      this.mic = track;
      await this.produce('mic', track);
    }
    await this.setProducerEnabled('mic', this.mic, enabled);
    this.store.update({ micEnabled: enabled });
  }

  /** Turning the camera off stops it (its light goes out); turning it on asks for a new track. */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    const producer = this.producers.get('camera');
    if (enabled) {
      const track = await this.options.tracks.camera();
      if (typeof track === 'string') return this.options.notify(problemText[track]);
      this.camera?.stop();
      this.camera = track;
      if (producer) await producer.replaceTrack(track);
      else await this.produce('camera', track);
      await this.setProducerEnabled('camera', track, true);
      this.store.update({ cameraEnabled: true, localVideoTrack: track });
    } else {
      await this.setProducerEnabled('camera', this.camera, false);
      this.camera?.stop();
      this.camera = null;
      if (producer) await producer.replaceTrack(null);
      this.store.update({ cameraEnabled: false, localVideoTrack: null });
    }
  }

  /**
   * Shares the screen, end-to-end encrypted like the camera. Stopping it
   * here, or with the browser's own "Stop sharing", closes the producer.
   */
  async setScreenSharing(enabled: boolean): Promise<void> {
    if (!enabled) return this.stopScreenShare();
    if (this.screen) return;
    const capture = await this.options.tracks.screen();
    if (capture === 'failed') return this.options.notify(noticeText.screenShareFailed);
    if (!capture) return; // cancelled in the picker: nothing to say
    const track = capture.video;
    if ('contentHint' in track) track.contentHint = 'detail';
    this.screenAudio = capture.audio;
    this.screen = track;
    track.addEventListener('ended', () => void this.stopScreenShare(track));
    this.store.update({ localScreenTrack: track });
    try {
      await this.produce('screen', track);
      // The tab's sound, encrypted like every other track; a failure costs the sound, not the share.
      if (capture.audio) await this.produce('screen-audio', capture.audio).catch(() => this.stopScreenAudio());
    } catch (err) {
      console.warn('conclave: could not share the screen', err);
      this.options.notify(noticeText.screenShareFailed);
      await this.stopScreenShare(track);
    }
  }

  /**
   * Switches the camera or microphone to another device without
   * renegotiating: the producer's track is replaced, the mute state kept, the
   * old track stopped. A device that is off now is simply used the next time
   * it is turned on. Returns false when the device could not be opened.
   */
  async switchDevice(kind: InputKind, deviceId: string): Promise<boolean> {
    const isMic = kind === 'audioinput';
    const current = isMic ? this.mic : this.camera;
    if (!current || current.readyState === 'ended') return true;
    const track = await openReplacement(this.options.tracks, kind, current, deviceId);
    if (track === 'same') return true;
    if (typeof track === 'string') {
      this.options.notify(problemText[track]);
      return false;
    }
    // The person may have left or turned the device off while the browser was opening the new one.
    if (this.stopped || (isMic ? this.mic : this.camera) !== current) {
      track.stop();
      return true;
    }
    const producer = this.producers.get(isMic ? 'mic' : 'camera');
    if (producer && !producer.closed) await producer.replaceTrack(track);
    if (isMic) this.mic = track;
    else this.camera = track;
    current.stop();
    if (!isMic) this.store.update({ localVideoTrack: track });
    return true;
  }

  private async stopScreenShare(which?: MediaStreamTrack): Promise<void> {
    const track = this.screen;
    if (!track || (which && which !== track)) return;
    this.screen = null;
    track.stop();
    this.store.update({ localScreenTrack: null });
    await Promise.all([this.stopScreenAudio(), this.closeProducer('screen')]);
  }

  /** The shared tab's sound stops (with the share, or alone when it could not be sent). */
  private async stopScreenAudio(): Promise<void> {
    this.screenAudio?.stop();
    this.screenAudio = null;
    await this.closeProducer('screen-audio');
  }

  private async closeProducer(source: MediaSource): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    await this.link?.signaling.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  private async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    const link = this.link;
    const kind = track.kind === 'audio' ? 'audio' : 'video';
    if (!link || !link.device.canProduce(kind)) return;
    const transforms = this.options.transforms;
    // Name the codec, so the frame transform knows the clear-byte rule before the first frame.
    const mimeType = link.device.canSendCodec(PREFERRED_CODEC[kind]) ? PREFERRED_CODEC[kind] : undefined;
    const producer = await link.transport.produce({
      track,
      source,
      codecMimeType: mimeType,
      ...(source === 'mic' ? { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } } : {}),
      // The camera goes out as three simulcast layers; the server sends each viewer the one its tile needs.
      ...(source === 'camera' && mimeType === 'video/vp8'
        ? { encodings: simulcastEncodings(), codecOptions: { videoGoogleStartBitrate: 1000 } }
        : {}),
      ...(transforms ? { onRtpSender: (s: RTCRtpSender) => transforms.attachSender(s, kind, source, mimeType) } : {}),
    });
    if (this.link !== link) {
      producer.close(); // the connection went away while this one was being made
      return;
    }
    this.producers.set(source, producer);
    producer.onTransportClose(() => {
      if (this.producers.get(source) === producer) this.producers.delete(source);
    });
    if (!track.enabled) await this.setProducerEnabled(source, track, false);
  }

  private async setProducerEnabled(source: MediaSource, track: MediaStreamTrack | null, enabled: boolean): Promise<void> {
    if (track) track.enabled = enabled;
    const producer = this.producers.get(source);
    if (!producer || producer.closed || producer.paused === !enabled) return;
    if (enabled) producer.resume();
    else producer.pause();
    await this.link?.signaling.request(enabled ? 'resumeProducer' : 'pauseProducer', { producerId: producer.id }).catch(() => undefined);
  }
}
