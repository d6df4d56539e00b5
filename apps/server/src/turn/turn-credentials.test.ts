import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iceServersFor, turnCredential } from './turn-credentials.js';

describe('turnCredential', () => {
  it('matches a known answer of the TURN REST API scheme', () => {
    // Computed independently with OpenSSL:
    //   printf '%s' '1700000000:alice' | openssl dgst -sha1 -hmac north -binary | base64
    const c = turnCredential('north', 'alice', 3600, (1700000000 - 3600) * 1000);
    expect(c).toEqual({ username: '1700000000:alice', credential: 'Cd/49soE35ICqcJF/bCTn8Z4OyE=' });
  });

  it('expires ttl seconds from now, rounded down to the second', () => {
    const c = turnCredential('a-secret-of-sixteen', 'peer-1', 43200, 1_000_000_999);
    expect(c.username).toBe(`${1_000_000 + 43200}:peer-1`);
    expect(c.credential).toBe(createHmac('sha1', 'a-secret-of-sixteen').update(c.username).digest('base64'));
  });

  it('depends on the secret', () => {
    expect(turnCredential('secret-one-secret-one', 'u', 60, 0).credential).not.toBe(
      turnCredential('secret-two-secret-two', 'u', 60, 0).credential,
    );
  });
});

describe('iceServersFor', () => {
  it('gives no ICE servers without TURN', () => {
    expect(iceServersFor({ turn: null }, 'peer')).toEqual([]);
  });

  it('gives every TURN URL with one fresh credential for the user', () => {
    const turn = {
      urls: ['turn:turn.example:3478?transport=udp', 'turns:turn.example:5349'],
      secret: 'north-north-north',
      ttlSeconds: 600,
    };
    const [server, ...rest] = iceServersFor({ turn }, 'peer-7', 2_000_000_000);
    expect(rest).toEqual([]);
    expect(server).toEqual({ urls: turn.urls, ...turnCredential(turn.secret, 'peer-7', 600, 2_000_000_000) });
    expect(server!.username).toBe(`${2_000_000 + 600}:peer-7`);
    // The caller's list is not shared with (and so cannot be changed through) the answer.
    expect(server!.urls).not.toBe(turn.urls);
  });
});
