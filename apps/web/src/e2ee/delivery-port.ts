/**
 * The GroupAgent's Delivery Service over the signaling connection: groupJoin
 * and groupCommit, bytes as base64url, a lost epoch (stale_epoch) as an
 * answer rather than an error.
 */
import type { DeliveryPort } from '@conclave/e2ee/group';
import { fromBase64url, toBase64url } from '@conclave/e2ee/keys';
import { ErrorCode } from '@conclave/protocol';
import type { Signaling } from '../signaling/signaling-port.js';

export function deliveryPort(signaling: Pick<Signaling, 'request'>): DeliveryPort {
  return {
    async join(keyPackage, proof) {
      const answer = await signaling.request('groupJoin', { keyPackage: toBase64url(keyPackage), proof: toBase64url(proof) });
      return {
        found: answer.found,
        epoch: answer.epoch,
        waiting: answer.waiting.map((r) => ({ peerId: r.peerId, keyPackage: fromBase64url(r.keyPackage), proof: fromBase64url(r.proof) })),
      };
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
