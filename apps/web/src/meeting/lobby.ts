/**
 * The join request, through the lobby when the room has one: a guest told
 * to wait waits for a host's decision, then asks again. A host's "no", or
 * the connection dropping while waiting, is an error with words to show.
 */
import type { JoinAnswer, NotificationData, RequestData } from '@conclave/protocol';
import { SignalingError } from '../signaling/signaling-client.js';
import type { Signaling } from '../signaling/signaling-port.js';
import { deniedText, lostText } from '../notices/notice-text.js';

export async function requestJoin(
  signaling: Signaling,
  request: RequestData<'join'>,
  onPhase: (phase: 'waiting' | 'connecting') => void,
): Promise<JoinAnswer> {
  const first = await signaling.request('join', request);
  if (first.status === 'joined') return first;
  onPhase('waiting');
  const decision = await new Promise<NotificationData<'lobbyDecision'>>((resolve, reject) => {
    const off = signaling.on('lobbyDecision', (d) => {
      off();
      offClose();
      resolve(d);
    });
    const offClose = signaling.onClose(() => {
      off();
      reject(new SignalingError('disconnected', lostText.whileWaiting));
    });
  });
  if (!decision.admitted) throw new SignalingError('denied', deniedText(decision.by));
  onPhase('connecting');
  const second = await signaling.request('join', request);
  if (second.status !== 'joined') throw new SignalingError('denied', deniedText(undefined));
  return second;
}
