/**
 * A room for unit tests: a FakeSignaling that answers join, transports,
 * produce and consume the way the server does, and a FakeEncryption. Each
 * connection the Meeting opens is a new FakeSignaling, kept in `connections`.
 */
import type { JoinAnswer, PeerInfo } from '@conclave/protocol';
import type { E2eeSnapshot } from '../e2ee/e2ee-session.js';
import type { MeetingEncryption } from '../meeting/meeting-encryption.js';
import { idleE2ee } from '../e2ee/e2ee-session.js';
import { Store } from '../state/store.js';
import { FakeSignaling } from './fake-signaling.js';

export function peer(peerId: string, displayName: string, producers: PeerInfo['producers'] = []): PeerInfo {
  return { peerId, displayName, role: 'guest', senderIndex: 1, producers, recording: false };
}

export function joinAnswer(patch: Partial<JoinAnswer> = {}): JoinAnswer {
  return {
    status: 'joined',
    peerId: 'self',
    senderIndex: 0,
    role: 'guest',
    room: { name: 'Standup', locked: false },
    routerRtpCapabilities: { codecs: [] },
    iceServers: [],
    iceTransportPolicy: 'all',
    peers: [],
    rejoinPass: 'pass-1',
    ...patch,
  };
}

/** Answers every request of a join as the server would (override any with answer()/refuse()). */
export function roomSignaling(answer: JoinAnswer = joinAnswer()): FakeSignaling {
  let transports = 0;
  let producers = 0;
  return new FakeSignaling()
    .answer('join', () => answer)
    .answer('createTransport', () => ({
      transportId: `t${++transports}`,
      iceParameters: { usernameFragment: 'u' },
      iceCandidates: [],
      dtlsParameters: { role: 'auto' },
    }))
    .answer('produce', () => ({ producerId: `mine-${++producers}` }))
    .answer('consume', ({ producerId }) => ({
      consumerId: `c-${producerId}`,
      producerId,
      peerId: 'unknown',
      kind: 'video',
      source: 'camera',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8' }] },
      producerPaused: false,
    }))
    .answer('restartIce', () => ({ iceParameters: { usernameFragment: 'new' } }));
}

export class FakeEncryption implements MeetingEncryption {
  readonly store = new Store<E2eeSnapshot>(idleE2ee);
  readonly attached: Array<{ signaling: FakeSignaling; joined: JoinAnswer }> = [];
  readonly senders: string[] = [];
  readonly receivers: string[] = [];
  disposed = 0;
  readonly peerConnectionSettings = undefined;

  attach(signaling: FakeSignaling, joined: JoinAnswer): Promise<void> {
    this.attached.push({ signaling, joined });
    this.store.update({ sending: true });
    return Promise.resolve();
  }

  attachSender(_sender: RTCRtpSender, kind: string, source: string): void {
    this.senders.push(`${kind}/${source}`);
  }

  attachReceiver(_receiver: RTCRtpReceiver, peerId: string, kind: string, source: string): void {
    this.receivers.push(`${peerId}:${kind}/${source}`);
  }

  readonly removed: string[] = [];
  leaveAnnounced = 0;

  encryptChat(text: string): Promise<string | null> {
    return Promise.resolve(`sealed-${text}`);
  }

  decryptChat(_from: string, message: string) {
    return Promise.resolve({ ok: true as const, text: message.replace(/^sealed-/, '') });
  }

  /** Signals the meeting sent (hands, reactions), as the bytes it gave. */
  readonly signals: Uint8Array[] = [];

  sendSignal(body: Uint8Array): Promise<boolean> {
    this.signals.push(body);
    return Promise.resolve(true);
  }

  onSignal(): () => void {
    return () => undefined;
  }

  onMembersChanged(): () => void {
    return () => undefined;
  }

  removeMember(peerId: string): Promise<void> {
    this.removed.push(peerId);
    return Promise.resolve();
  }

  announceLeave(): Promise<void> {
    this.leaveAnnounced += 1;
    return Promise.resolve();
  }

  dispose(): void {
    this.disposed += 1;
  }

  debugSendKey() {
    return null;
  }

  debugImpersonate(): void {
    // no keys here to forge with
  }

  debugRekey(): Promise<void> {
    return Promise.resolve();
  }
}
