/**
 * Getting into a room over REST before the WebSocket: what the room is
 * (does it need a password, has it a lobby), and a single-use join ticket,
 * with the server's refusal put into words.
 */
import { PublicRoom, Ticket, type PublicRoom as PublicRoomT, type Ticket as TicketT } from '@conclave/protocol';
import { SignalingClient, SignalingError, signalingUrl } from '../signaling/signaling-client.js';

export class AccessError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function errorOf(res: Response): Promise<AccessError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = body?.error?.code ?? `http_${res.status}`;
  const text: Record<string, string> = {
    wrong_room_password: 'That room password is not right.',
    too_many_attempts: 'Too many wrong passwords. Wait a moment, then try again.',
    room_locked: 'The meeting is locked: nobody new can join right now.',
    room_full: 'The meeting is full.',
    not_found: 'There is no meeting at this address. Check the link.',
  };
  return new AccessError(code, text[code] ?? body?.error?.message ?? `The server refused (${res.status}).`);
}

export async function fetchPublicRoom(roomId: string): Promise<PublicRoomT> {
  let res: Response;
  try {
    res = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/public`, { credentials: 'same-origin' });
  } catch {
    throw new AccessError('unreachable', 'Cannot reach the meeting server. Check your connection and try again.');
  }
  if (!res.ok) throw await errorOf(res);
  return PublicRoom.parse(await res.json());
}

export async function requestTicket(roomId: string, password: string | undefined, rejoinPass?: string | null): Promise<TicketT> {
  let res: Response;
  try {
    res = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/ticket`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...(password ? { password } : {}), ...(rejoinPass ? { rejoinPass } : {}) }),
    });
  } catch {
    throw new AccessError('unreachable', 'Cannot reach the meeting server. Check your connection and try again.');
  }
  if (!res.ok) throw await errorOf(res);
  return Ticket.parse(await res.json());
}

/**
 * Connects the signaling socket with a fresh ticket (every rejoin needs a new
 * one); a rejoin gives its pass, to come back into a meeting locked since.
 */
export function ticketedConnect(roomId: string, password: string | undefined): (rejoinPass?: string | null) => Promise<SignalingClient> {
  return async (rejoinPass) => {
    try {
      const { ticket, node } = await requestTicket(roomId, password, rejoinPass);
      // The meeting's node, for a proxy that routes sockets straight to it (docs/multi-node.md); only a hint.
      const hint = node ? `&node=${encodeURIComponent(node)}` : '';
      return await SignalingClient.connect(`${signalingUrl()}?ticket=${encodeURIComponent(ticket)}${hint}`);
    } catch (err) {
      if (err instanceof AccessError) throw new SignalingError(err.code, err.message);
      throw err;
    }
  };
}
