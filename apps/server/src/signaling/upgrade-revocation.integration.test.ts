/**
 * An account that loses its powers while one of its sockets is still being
 * let in (its join ticket being redeemed: a round trip when tickets are in
 * Redis) loses them on that socket too. The ticket store here holds the
 * redemption until the test has deleted the account.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CloseCode } from '@conclave/protocol';
import { memoryEphemeralStores } from '../cluster/ephemeral-stores.js';
import { MemoryTicketStore, type StoredTicketGrant, type TicketStore } from '../cluster/ticket-store.js';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';

/** Tickets in memory, whose redemption waits for `release()` while `hold()` is on. */
class HeldTickets implements TicketStore {
  private readonly inner = new MemoryTicketStore();
  private held: { entered: () => void; gate: Promise<void> } | null = null;
  private open: () => void = () => undefined;

  /** From now on a redemption waits; resolves once one does. */
  hold(): Promise<void> {
    return new Promise((entered) => {
      this.held = { entered, gate: new Promise<void>((resolve) => (this.open = resolve)) };
    });
  }

  release(): void {
    this.held = null;
    this.open();
  }

  issue(grant: StoredTicketGrant) {
    return this.inner.issue(grant);
  }

  async redeem(ticket: string) {
    const grant = await this.inner.redeem(ticket);
    const held = this.held;
    if (held) {
      held.entered();
      await held.gate;
    }
    return grant;
  }

  peek(ticket: string) {
    return this.inner.peek(ticket);
  }

  revokeFor(userId: number, sessionKey?: string) {
    return this.inner.revokeFor(userId, sessionKey);
  }
}

const ADMIN_PASSWORD = 'revocation-admin-pw';
const tickets = new HeldTickets();
let app: TestApp;
let admin: string;

async function api(method: string, route: string, body?: unknown, cookie?: string) {
  const res = await fetch(`${app.url}${route}`, {
    method,
    headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(cookie ? { Cookie: cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, any>, headers: res.headers };
}

async function login(username: string, password: string): Promise<string> {
  const r = await api('POST', '/api/auth/login', { username, password });
  expect(r.status).toBe(200);
  return r.headers
    .getSetCookie()
    .find((c) => c.startsWith('conclave_session='))!
    .split(';')[0]!;
}

beforeAll(async () => {
  app = await startTestApp({ adminPassword: ADMIN_PASSWORD, allowAnonymousRooms: false }, undefined, {
    ephemeral: () => ({ ...memoryEphemeralStores(), tickets }),
  });
  admin = await login('admin', ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  tickets.release();
  await app?.close();
});

it('closes a socket whose account was deleted while its ticket was being redeemed', async () => {
  const created = await api('POST', '/api/users', { username: 'dora', password: 'dora-password', role: 'host' }, admin);
  expect(created.status).toBe(201);
  const dora = await login('dora', 'dora-password');
  const room = await api('POST', '/api/rooms', { name: 'Planning' }, dora);
  const roomId = room.body['id'] as string;
  const ticket = await api('POST', `/api/rooms/${roomId}/ticket`, {}, dora);
  expect(ticket.body['role']).toBe('host');

  const redeeming = tickets.hold();
  const connecting = TestClient.connect(`${app.wsUrl}?ticket=${encodeURIComponent(ticket.body['ticket'])}`);
  await redeeming;
  expect((await api('DELETE', `/api/users/${created.body['user']['id']}`, undefined, admin)).status).toBe(204);
  tickets.release();

  const client = await connecting;
  expect(await client.waitForClose(1000)).toBe(CloseCode.AccountChanged);
});
