/**
 * A host whose account is deleted while they are in a meeting: how long
 * until they can no longer act as host? Measured from the moment the admin
 * sends the delete until a host action (lockRoom) on the host's open socket
 * is refused (or the socket is closed under it), and recorded as a figure.
 * Then the same for a demoted admin in a room they do not own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test-support/test-app.js';
import { TestClient } from '../test-support/ws-client.js';
import { recordFigure } from './figures.js';

const ADMIN_PASSWORD = 'hostile-admin-password';
let app: TestApp;
let admin: string;

async function api(method: string, route: string, body: unknown, cookie: string) {
  const res = await fetch(`${app.url}${route}`, {
    method,
    headers: { Cookie: cookie, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null, headers: res.headers };
}

async function signIn(username: string, password: string): Promise<string> {
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(res.status).toBe(200);
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith('conclave_session='))!
    .split(';')[0]!;
}

/** Joins `roomId` with a ticket bought with `cookie`; returns the client once it is host. */
async function hostIn(roomId: string, cookie: string): Promise<TestClient> {
  const t = await api('POST', `/api/rooms/${roomId}/ticket`, {}, cookie);
  const client = await TestClient.connect(`${app.wsUrl}?ticket=${encodeURIComponent(t.body!['ticket'])}`);
  const joined = await client.request('join', { roomId, displayName: 'Host' });
  expect(joined.status === 'joined' && joined.role).toBe('host');
  return client;
}

/** Seconds from `change` being sent until a host action on `client` is refused. */
async function secondsUntilPowerless(client: TestClient, change: () => Promise<{ status: number }>): Promise<number> {
  const started = performance.now();
  const sent = change();
  // A request on a socket being closed gets no answer: the close itself is the refusal.
  const closed = client.waitForClose(10_000).then(
    () => null,
    () => null,
  );
  for (;;) {
    const r = await Promise.race([client.call('lockRoom', { locked: false }).catch(() => null), closed]);
    if (!r || !r.ok) break;
  }
  const seconds = (performance.now() - started) / 1000;
  expect([200, 204]).toContain((await sent).status);
  return seconds;
}

beforeAll(async () => {
  app = await startTestApp({ adminPassword: ADMIN_PASSWORD, allowAnonymousRooms: false });
  admin = await signIn('admin', ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('revocation', () => {
  it('a deleted host loses their powers on the open socket', async () => {
    const created = await api('POST', '/api/users', { username: 'leaver', password: 'leaver-password', role: 'host' }, admin);
    const cookie = await signIn('leaver', 'leaver-password');
    const room = await api('POST', '/api/rooms', { name: 'Weekly' }, cookie);
    const client = await hostIn(room.body!['id'], cookie);
    const seconds = await secondsUntilPowerless(client, () => api('DELETE', `/api/users/${created.body!['user']['id']}`, undefined, admin));
    recordFigure({
      name: 'seconds until a deleted account loses its powers (lockRoom refused on its open socket)',
      value: Number(seconds.toFixed(3)),
      unit: 's',
      target: '≤ 1',
    });
    expect(seconds).toBeLessThan(1);
  });

  it('a demoted admin loses host powers in a room they do not own', async () => {
    const created = await api('POST', '/api/users', { username: 'former-admin', password: 'former-admin-password', role: 'admin' }, admin);
    const cookie = await signIn('former-admin', 'former-admin-password');
    const room = await api('POST', '/api/rooms', { name: 'Not theirs' }, admin);
    const client = await hostIn(room.body!['id'], cookie);
    const seconds = await secondsUntilPowerless(client, () =>
      api('PATCH', `/api/users/${created.body!['user']['id']}`, { role: 'host' }, admin),
    );
    recordFigure({
      name: "seconds until a demoted admin loses host powers in a room they don't own",
      value: Number(seconds.toFixed(3)),
      unit: 's',
      target: '≤ 1',
    });
    expect(seconds).toBeLessThan(1);
  });
});
