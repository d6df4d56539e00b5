/**
 * The GroupAgent's Delivery Service over the signaling connection: groupJoin,
 * groupAdmit and groupCommit, and groupMessage for the group's own
 * notices (kept out of chat); bytes as base64url, a lost epoch (stale_epoch) as an answer
 * rather than an error.
 */
import type { DeliveryPort } from '@conclave/e2ee/group';
import { fromBase64url, toBase64url } from '@conclave/e2ee/keys';
import { ErrorCode } from '@conclave/protocol';
import type { Signaling } from '../signaling/signaling-port.js';

export function deliveryPort(signaling: Pick<Signaling, 'request'>): DeliveryPort {
  return {
    async join(keyPackage, pake) {
      const answer = await signaling.request('groupJoin', { keyPackage: toBase64url(keyPackage), pake: toBase64url(pake) });
      return {
        found: answer.found,
        epoch: answer.epoch,
        waiting: answer.waiting.map((r) => ({ peerId: r.peerId, keyPackage: fromBase64url(r.keyPackage), pake: fromBase64url(r.pake) })),
      };
    },
    async admit(to, message) {
      await signaling.request('groupAdmit', { to, message: toBase64url(message) });
    },
    async broadcast(message) {
      await signaling.request('groupMessage', { message: toBase64url(message) });
    },
    async commit(c) {
      try {
        const { epoch } = await signaling.request('groupCommit', {
          epoch: c.epoch,
          commit: toBase64url(c.commit),
          ...(c.welcome ? { welcome: toBase64url(c.welcome) } : {}),
          added: c.added,
          removed: c.removed,
        });
        return { ok: true, epoch };
      } catch (err) {
        const e = err as { code?: string; epoch?: number };
        if (e.code === ErrorCode.StaleEpoch) return { ok: false, staleEpoch: e.epoch ?? -1 };
        throw err;
      }
    },
  };
}
