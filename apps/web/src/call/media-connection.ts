/**
 * The media path of one join: the device loaded with the router's
 * capabilities, a send and a receive transport, and an ICE watchdog on each
 * that restarts ICE when the path breaks and asks for a rejoin when it
 * cannot be repaired. A rejoin makes a new MediaConnection; nothing of it
 * outlives its signaling connection.
 */
import type { JoinAnswer, TransportDirection } from '@conclave/protocol';
import { SignalingError } from '../signaling/signaling-client.js';
import type { Signaling } from '../signaling/signaling-port.js';
import { IceWatchdog } from './ice-watchdog.js';
import type { CreateDevice, MediaDevice, MediaTransport, TransportSettings } from './media-device.js';
import { readSend, statsEntries, type SendReading } from './receive-stats.js';
import { lostText } from '../notices/notice-text.js';

export interface MediaConnectionEvents {
  /** The media path could not be repaired: the call should rejoin. */
  onLost(why: string): void;
  /** Media is down on some transport (an ICE restart runs), or back on all of them. */
  onMediaDown(down: boolean): void;
  /** An ICE restart was asked for (counted for window.conclave.recovery). */
  onIceRestart(): void;
}

export interface MediaConnectionOptions extends MediaConnectionEvents {
  signaling: Signaling;
  createDevice: CreateDevice;
  /** Extra RTCPeerConnection settings the frame transform needs, if any. */
  peerConnectionSettings?: Record<string, unknown> | undefined;
}

export class MediaConnection {
  private readonly watchdogs = new Map<string, IceWatchdog>();
  private readonly down = new Set<string>();
  private readonly transports: MediaTransport[] = [];
  private closed = false;

  private constructor(
    readonly device: MediaDevice,
    private readonly options: MediaConnectionOptions,
  ) {}

  /**
   * Loads a device with the join answer's router capabilities and makes the
   * send and receive transports. Rejects with a SignalingError to show as
   * is (`unsupported` when this browser can send neither audio nor video);
   * whatever it made before failing is closed.
   */
  static async open(joined: JoinAnswer, options: MediaConnectionOptions): Promise<MediaConnection> {
    const device = options.createDevice();
    await device.load(joined.routerRtpCapabilities);
    if (!device.canProduce('audio') && !device.canProduce('video')) {
      throw new SignalingError('unsupported', 'This browser cannot send audio or video to the meeting.');
    }
    const settings: TransportSettings = {
      iceServers: joined.iceServers,
      iceTransportPolicy: joined.iceTransportPolicy,
      peerConnectionSettings: options.peerConnectionSettings,
    };
    const connection = new MediaConnection(device, options);
    try {
      await connection.open('send', settings);
      await connection.open('recv', settings);
    } catch (err) {
      connection.close();
      throw err;
    }
    return connection;
  }

  get send(): MediaTransport {
    return this.transports[0]!;
  }

  get recv(): MediaTransport {
    return this.transports[1]!;
  }

  private async open(direction: TransportDirection, settings: TransportSettings): Promise<void> {
    const { signaling } = this.options;
    const answer = await signaling.request('createTransport', { direction });
    const { transportId } = answer;
    const transport = this.device.createTransport(direction, answer, settings, {
      connect: async (dtlsParameters) => {
        await signaling.request('connectTransport', { transportId, dtlsParameters });
      },
      ...(direction === 'send'
        ? {
            produce: async ({ kind, rtpParameters, source }) =>
              (await signaling.request('produce', { transportId, kind, rtpParameters, source })).producerId,
          }
        : {}),
      onStateChange: (state) => this.watchdogs.get(transportId)?.onState(state),
    });
    this.transports.push(transport);
    if (this.closed) return transport.close();
    this.watchdogs.set(
      transportId,
      new IceWatchdog({
        restart: () => this.restartIce(transport),
        giveUp: (why) => {
          console.warn(`conclave: ${direction} transport: ${why}; rejoining`);
          this.options.onLost(lostText.media);
        },
        onRecovering: (down) => this.setDown(transportId, down),
      }),
    );
  }

  /** The transports' states now, for window.conclave.recovery. */
  get states(): { send: string; recv: string } {
    return { send: this.send.connectionState, recv: this.recv.connectionState };
  }

  /** What the server reports back about our sending, or null when it cannot be read. */
  async sendReading(): Promise<SendReading | null> {
    const send = this.transports[0];
    if (this.closed || !send || send.closed) return null;
    const report = await send.getStats().catch(() => null);
    return report ? readSend(statsEntries(report)) : null;
  }

  /** Closes both transports (their producers and consumers with them) and stops watching. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const dog of this.watchdogs.values()) dog.dispose();
    this.watchdogs.clear();
    this.down.clear();
    for (const transport of this.transports) transport.close();
  }

  /** New ICE credentials from the server for `transport`: the browser checks candidates afresh. */
  private async restartIce(transport: MediaTransport): Promise<void> {
    const { signaling } = this.options;
    if (this.closed || !signaling.isOpen || transport.closed) throw new Error('not connected to the meeting server');
    this.options.onIceRestart();
    const { iceParameters, iceServers } = await signaling.request('restartIce', { transportId: transport.id });
    // TURN credentials live minutes: relay candidates gathered for this restart need the fresh ones.
    if (iceServers) await transport.updateIceServers(iceServers);
    await transport.restartIce(iceParameters);
  }

  private setDown(transportId: string, down: boolean): void {
    const before = this.down.size > 0;
    if (down) this.down.add(transportId);
    else this.down.delete(transportId);
    const after = this.down.size > 0;
    if (before !== after && !this.closed) this.options.onMediaDown(after);
  }
}
