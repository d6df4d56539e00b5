import { describe, expect, it, vi } from 'vitest';
import { MediaEncryption } from './media-encryption.js';
import type { FromWorker, ToWorker } from '../worker-messages.js';

function fakeWorker() {
  const posted: ToWorker[] = [];
  let listener: ((e: MessageEvent<FromWorker>) => void) | undefined;
  return {
    posted,
    worker: {
      postMessage: (m: ToWorker) => void posted.push(m),
      addEventListener: (_type: 'message', l: (e: MessageEvent<FromWorker>) => void) => void (listener = l),
      terminate: () => undefined,
    },
    emit: (data: FromWorker) => listener!({ data } as MessageEvent<FromWorker>),
  };
}

describe('MediaEncryption frame origin', () => {
  it("hands the page the Worker's batches and origin statuses", () => {
    const { worker, emit } = fakeWorker();
    const onOriginBatch = vi.fn();
    const onOriginStatus = vi.fn();
    new MediaEncryption(worker, 'script-transform', { onOriginBatch, onOriginStatus });
    const batch = Uint8Array.of(1, 2, 3);
    emit({ type: 'origin-batch', batch });
    emit({ type: 'origin-status', peerId: 'alice', source: 'camera', status: 'verified' });
    emit({ type: 'origin-status', peerId: 'bob', source: 'mic', status: 'failed', reason: 'forged' });
    expect(onOriginBatch).toHaveBeenCalledWith(batch);
    expect(onOriginStatus.mock.calls).toEqual([
      ['alice', 'camera', 'verified', undefined],
      ['bob', 'mic', 'failed', 'forged'],
    ]);
  });

  it('passes verified batches, unchanged, and the enforcement switch to the Worker', () => {
    const { worker, posted } = fakeWorker();
    const media = new MediaEncryption(worker, 'script-transform');
    const batch = Uint8Array.of(1, 9, 9);
    media.verifiedOrigin('alice', 4, batch);
    media.enforceOrigin(true);
    expect(posted).toEqual([
      { type: 'origin-verified', peerId: 'alice', leaf: 4, batch },
      { type: 'origin-enforce', enforce: true },
    ]);
    expect((posted[0] as { batch: Uint8Array }).batch).toBe(batch);
  });
});
