/**
 * Debian's coturn, run with the repository's coturn.conf through the same
 * entrypoint as the docker-compose service (see test-support/coturn.ts for
 * the test-only changes: loopback ports, and, in one variant, loopback
 * peers), against credentials minted exactly as the server mints them at
 * join. Every refusal is checked against an acceptance under the same
 * conditions, so none of these can pass because nothing works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../http/tls.js';
import { startCoturn, type Coturn } from '../test-support/coturn.js';
import { TurnSession, type TurnSessionOptions } from '../test-support/turn-client.js';
import { turnCredential } from './turn-credentials.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SECRET = 'coturn-test-secret-0123456789abcdef';
const REALM = 'localhost';

let relay: Coturn; // relay-to-loopback variant, with TLS
let production: Coturn; // production variant
let tlsCert: string;

beforeAll(async () => {
  const tls = await selfSignedCertificate(mkdtempSync(path.join(os.tmpdir(), 'conclave-coturn-tls-')), {
    dns: ['localhost'],
    ips: ['127.0.0.1'],
  });
  tlsCert = tls.cert;
  [relay, production] = await Promise.all([
    startCoturn({ variant: 'relay-to-loopback', realm: REALM, secret: SECRET, tls: { cert: tls.cert, key: tls.key } }),
    startCoturn({ variant: 'production', realm: REALM, secret: SECRET }),
  ]);
}, 60_000);

afterAll(async () => {
  await relay?.close();
  await production?.close();
});

async function allocate(server: Coturn, username: string, password: string, extra: Partial<TurnSessionOptions> = {}) {
  const session = await TurnSession.open({ host: '127.0.0.1', port: server.port, username, password, ...extra });
  const answer = await session.allocate();
  return { session, answer };
}

async function allocateOnce(server: Coturn, username: string, password: string, extra: Partial<TurnSessionOptions> = {}) {
  const { session, answer } = await allocate(server, username, password, extra);
  await session.close();
  return answer;
}

describe('the run-time configuration', () => {
  it('is coturn.conf plus realm, shared secret and (without a certificate) no-tls', () => {
    expect(production.config).toContain('use-auth-secret');
    expect(production.config).toContain(`realm=${REALM}`);
    expect(production.config).toContain(`static-auth-secret=${SECRET}`);
    expect(production.config).toMatch(/^no-tls$/m);
    expect(production.config).toMatch(/^denied-peer-ip=127\.0\.0\.0-127\.255\.255\.255$/m);
    expect(production.config).not.toMatch(/^allow-loopback-peers/m);
    expect(relay.config).toMatch(/^cert=.*localhost\.crt$/m);
    expect(relay.config).not.toMatch(/^no-tls$/m);
  });
});

describe('credentials', () => {
  it('accepts the credentials the server mints, over UDP, TCP and TLS, with a relay in the configured range', async () => {
    const { username, credential } = turnCredential(SECRET, 'peer-a', 600);
    for (const extra of [
      { transport: 'udp' as const },
      { transport: 'tcp' as const },
      { transport: 'tls' as const, port: relay.tlsPort!, tls: { ca: tlsCert, servername: REALM } },
    ]) {
      const answer = await allocateOnce(relay, username, credential, extra);
      expect(answer, extra.transport).toMatchObject({ ok: true, relayed: { address: '127.0.0.1' } });
      expect(answer.relayed!.port).toBeGreaterThanOrEqual(relay.relayPorts.min);
      expect(answer.relayed!.port).toBeLessThanOrEqual(relay.relayPorts.max);
    }
    expect((await allocateOnce(production, username, credential)).ok).toBe(true);
  });

  it('refuses forged credentials (401)', async () => {
    const real = turnCredential(SECRET, 'peer-b', 600);
    // Signed with another secret.
    const other = turnCredential('not-the-secret-0123456789', 'peer-b', 600);
    expect(await allocateOnce(relay, other.username, other.credential)).toMatchObject({ ok: false, code: 401 });
    // A valid username with someone's guess at the password.
    expect(await allocateOnce(relay, real.username, Buffer.alloc(20).toString('base64'))).toMatchObject({ ok: false, code: 401 });
    // A real credential with its expiry pushed back: the HMAC no longer matches.
    const [expiry, user] = real.username.split(':');
    expect(await allocateOnce(relay, `${Number(expiry) + 86400}:${user}`, real.credential)).toMatchObject({ ok: false, code: 401 });
    // Control: the unaltered credential works on the same server.
    expect((await allocateOnce(relay, real.username, real.credential)).ok).toBe(true);
  });

  it('refuses expired credentials (401) even though they are correctly signed', async () => {
    const expired = turnCredential(SECRET, 'peer-c', 60, Date.now() - 3600_000);
    expect(Number(expired.username.split(':')[0])).toBeLessThan(Date.now() / 1000);
    expect(await allocateOnce(relay, expired.username, expired.credential)).toMatchObject({ ok: false, code: 401 });
    expect(await allocateOnce(production, expired.username, expired.credential)).toMatchObject({ ok: false, code: 401 });
  });

  it('limits allocations per user (user-quota)', async () => {
    const { username, credential } = turnCredential(SECRET, 'peer-quota', 600);
    const quota = Number(/^user-quota=(\d+)$/m.exec(production.config)![1]);
    const sessions: TurnSession[] = [];
    try {
      for (let i = 0; i < quota; i++) {
        const { session, answer } = await allocate(production, username, credential);
        sessions.push(session);
        expect(answer.ok, `allocation ${i + 1} of ${quota}`).toBe(true);
      }
      const { session, answer } = await allocate(production, username, credential);
      sessions.push(session);
      expect(answer).toMatchObject({ ok: false, code: 486 }); // Allocation Quota Reached
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  });
});

describe('short-lived credentials', () => {
  it('keep an allocation made before they expired: refreshes and permissions go on (a call outlives its credential)', async () => {
    // A credential that expires in 2 s, as CONCLAVE_TURN_TTL would make one (600 s by default).
    const { username, credential } = turnCredential(SECRET, 'peer-short', 2);
    const { session, answer } = await allocate(relay, username, credential);
    try {
      expect(answer.ok).toBe(true);
      await new Promise((r) => setTimeout(r, 3000));
      expect(Number(username.split(':')[0])).toBeLessThan(Date.now() / 1000);
      expect(await session.refresh(600)).toEqual({ ok: true });
      expect(await session.createPermission('127.0.0.1')).toEqual({ ok: true });
      // Control: the same expired credential cannot make a new allocation.
      expect(await allocateOnce(relay, username, credential)).toMatchObject({ ok: false, code: 401 });
    } finally {
      await session.close();
    }
  });
});

describe('who can be reached through the relay', () => {
  it('no TCP relays (442 Unsupported Transport Protocol), while UDP relays work with the same credential', async () => {
    const { username, credential } = turnCredential(SECRET, 'peer-tcp', 600);
    for (const server of [production, relay]) {
      const tcp = await TurnSession.open({ host: '127.0.0.1', port: server.port, username, password: credential, transport: 'tcp' });
      try {
        expect(await tcp.allocate('tcp')).toMatchObject({ ok: false, code: 442 });
      } finally {
        await tcp.close();
      }
      expect((await allocateOnce(server, username, credential, { transport: 'tcp' })).ok).toBe(true);
    }
  });

  const privateAddresses = [
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.254',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
  ];

  // CreatePermission only records an address in coturn: nothing is sent to it. Even if coturn
  // tried, its relay sockets are bound to 127.0.0.1 (relay-ip), from where no packet can leave.
  it('production coturn.conf refuses loopback and every private range (403), and allows a public address', async () => {
    const { username, credential } = turnCredential(SECRET, 'peer-d', 600);
    const { session, answer } = await allocate(production, username, credential);
    try {
      expect(answer.ok).toBe(true);
      for (const peer of ['127.0.0.1', '127.1.2.3', ...privateAddresses]) {
        expect(await session.createPermission(peer), peer).toMatchObject({ ok: false, code: 403 });
      }
      // Control: the denied ranges do not add up to "everything" (a range bounded by 0.0.0.0 or ::
      // means exactly that to coturn).
      expect(await session.createPermission('1.1.1.1')).toEqual({ ok: true });
    } finally {
      await session.close();
    }
  });

  it('the test variant allows loopback (the SFU under test) and still refuses private ranges', async () => {
    const { username, credential } = turnCredential(SECRET, 'peer-e', 600);
    const { session, answer } = await allocate(relay, username, credential);
    try {
      expect(answer.ok).toBe(true);
      expect(await session.createPermission('127.0.0.1')).toEqual({ ok: true });
      for (const peer of privateAddresses) {
        expect(await session.createPermission(peer), peer).toMatchObject({ ok: false, code: 403 });
      }
    } finally {
      await session.close();
    }
  });
});
