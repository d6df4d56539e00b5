/**
 * The call's own state (phase, notices, reconnecting, recording flag, role,
 * lock, lobby), with the few rules about it that need no connection of
 * their own: numbered notices, the media-down banner, and telling the room
 * about a recording.
 */
import type { Signaling } from '../signaling/signaling-port.js';
import { Store } from '../state/store.js';
import { initialStatus, type CallStatus } from '../call/call-state.js';

export class CallStatusStore extends Store<CallStatus> {
  private noticeId = 0;

  constructor() {
    super(initialStatus);
  }

  /** A short sentence about what just happened, for a toast. */
  notify(text: string): void {
    this.noticeId += 1;
    this.update({ notice: { id: this.noticeId, text } });
  }

  /** The media path is down (an ICE restart runs) or back: the banner shows meanwhile, unless a rejoin already shows. */
  mediaDown(down: boolean, rejoining: boolean): void {
    const status = this.getSnapshot();
    if (rejoining || status.phase !== 'in-call') return;
    const reconnecting = down ? { cause: 'media' as const, attempt: 0, nextAttemptAt: null } : null;
    if ((reconnecting === null) !== (status.reconnecting === null)) this.update({ reconnecting });
  }

  /**
   * Tells the room this participant started or stopped recording. Starting
   * needs the room to hear it: it rejects, with words to show, when the
   * server cannot be told. Stopping stands either way.
   */
  async announceRecording(signaling: Signaling | null, recording: boolean): Promise<void> {
    if (recording && (!signaling?.isOpen || this.getSnapshot().phase !== 'in-call')) {
      throw new Error('Not connected to the meeting: the others could not be told you are recording.');
    }
    const before = this.getSnapshot().recording;
    this.update({ recording });
    if (!signaling?.isOpen) return;
    try {
      await signaling.request('setRecording', { recording });
    } catch (err) {
      if (!recording) return; // stopping stands: the room learns when we leave or rejoin
      this.update({ recording: before });
      throw err;
    }
  }
}
