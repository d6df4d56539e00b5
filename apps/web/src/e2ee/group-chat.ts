/**
 * Chat over the meeting's MLS group: a message is sealed as an MLS
 * application message (signed by our leaf, numbered) and sent as base64url;
 * an incoming one is opened by the group, which says who signed it. Used by
 * E2eeSession, and by the chat tests with real group agents.
 */
import type { GroupAgent } from '@conclave/e2ee/group';
import { fromBase64url, toBase64url } from '@conclave/e2ee/keys';
import type { ChatCrypto, ChatDecryptOutcome } from '../chat/chat-session.js';

/** `agent()`: the current membership's agent, or null between joins. */
export function groupChat(agent: () => GroupAgent | null): ChatCrypto {
  return {
    async encryptChat(text: string): Promise<string | null> {
      const sealed = await agent()?.sealChat(text);
      return sealed ? toBase64url(sealed) : null;
    },
    async decryptChat(from: string, message: string): Promise<ChatDecryptOutcome> {
      const a = agent();
      if (!a) return { ok: false, retry: true, reason: 'no keys yet' };
      let bytes: Uint8Array;
      try {
        bytes = fromBase64url(message);
      } catch {
        return { ok: false, retry: false, reason: 'malformed' };
      }
      const opened = await a.openApp(from, bytes);
      if (opened.kind === 'chat') return { ok: true, text: opened.text };
      if (opened.kind === 'leaving') return { ok: false, retry: false, reason: 'leave notice', silent: true };
      if (opened.kind === 'admission-failed' || opened.kind === 'origin' || opened.kind === 'signal')
        return { ok: false, retry: false, reason: 'group notice', silent: true };
      return { ok: false, retry: opened.retry, reason: opened.reason };
    },
  };
}
