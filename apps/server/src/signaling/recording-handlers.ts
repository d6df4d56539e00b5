/**
 * Local recording: a participant records the meeting in their own browser,
 * from the media it has already decrypted. The server never receives the
 * recording; all it does is tell the room, so nobody is recorded without
 * knowing: the others get `peerRecording`, later joiners see the flag in
 * PeerInfo, and the audit log keeps who recorded which meeting and when.
 *
 * Saying the same thing twice (a client re-announcing after a rejoin) changes
 * nothing and tells nobody. Each connection may change its state
 * RECORDING_RATE_BURST times at once, then once every 1/RECORDING_RATE_PER_SECOND
 * seconds (its session's recording bucket), so a client cannot flood the
 * room or the audit log.
 */
import { ErrorCode, notification } from '@conclave/protocol';
import { auditName } from './connection-grant.js';
import { RequestError } from './request-error.js';
import type { Handler } from './handler.js';
import { joined } from './session.js';

export const recordingHandlers: { setRecording: Handler<'setRecording'> } = {
  async setRecording(session, { recording }, { audit, logger }) {
    const { peer, room } = joined(session);
    if (peer.recording === recording) return {};
    if (!session.buckets.recording.take()) {
      throw new RequestError(ErrorCode.RecordingRateLimited, 'recording was switched on and off too often: wait a few seconds');
    }
    peer.recording = recording;
    room.broadcast(notification('peerRecording', { peerId: peer.id, recording }), peer.id);
    const action = recording ? 'recording.start' : 'recording.stop';
    await audit.record({ actor: auditName(session.grant, peer.displayName), action, target: room.id, ip: peer.ip || null });
    logger.info({ roomId: room.id, peerId: peer.id, recording }, 'local recording');
    return {};
  },
};
