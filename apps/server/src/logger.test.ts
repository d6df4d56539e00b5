import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redactUrl } from './logger.js';

/** A logger at debug level whose lines land in `lines` (parsed). */
function capture() {
  const lines: Array<Record<string, any>> = [];
  let raw = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      raw += String(chunk);
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines, raw: () => raw };
}

const SECRETS = {
  password: 'hunter2-password',
  ticket: 'tkt-0123456789',
  rejoinPass: 'pass-abcdefghij',
  token: 'tok-setup-123',
  cookie: 'conclave_session=sess-secret',
  turn: 'turn-credential-xyz',
};

describe('logger redaction', () => {
  it('hides passwords, tokens, tickets, rejoin passes, cookies and TURN credentials, at the top and one level down', () => {
    const { logger, lines, raw } = capture();
    logger.info(
      {
        password: SECRETS.password,
        ticket: SECRETS.ticket,
        rejoinPass: SECRETS.rejoinPass,
        setupToken: SECRETS.token,
        body: { password: SECRETS.password, newPassword: SECRETS.password, rejoinPass: SECRETS.rejoinPass, token: SECRETS.token },
        grant: { ticket: SECRETS.ticket },
        req: { method: 'GET', headers: { cookie: SECRETS.cookie, authorization: `Bearer ${SECRETS.token}`, host: 'meet.example' } },
        joined: { iceServers: [{ urls: ['turn:meet.example'], username: '1700000000:peer', credential: SECRETS.turn }] },
        config: { turn: { secret: SECRETS.turn } },
        peerId: 'peer-1',
      },
      'something happened',
    );
    const line = lines[0]!;
    for (const secret of Object.values(SECRETS)) expect(raw()).not.toContain(secret);
    expect(line.password).toBe(REDACTED);
    expect(line.ticket).toBe(REDACTED);
    expect(line.rejoinPass).toBe(REDACTED);
    expect(line.setupToken).toBe(REDACTED);
    expect(line.body).toEqual({ password: REDACTED, newPassword: REDACTED, rejoinPass: REDACTED, token: REDACTED });
    expect(line.grant.ticket).toBe(REDACTED);
    expect(line.req.headers).toEqual({ cookie: REDACTED, authorization: REDACTED, host: 'meet.example' });
    expect(line.joined.iceServers[0]).toEqual({ urls: ['turn:meet.example'], username: '1700000000:peer', credential: REDACTED });
    expect(line.config.turn.secret).toBe(REDACTED);
    // What is not secret stays readable.
    expect(line.peerId).toBe('peer-1');
    expect(line.req.method).toBe('GET');
    expect(line.msg).toBe('something happened');
  });

  it('keeps the path of a URL but none of its query values', () => {
    const { logger, lines, raw } = capture();
    logger.warn(
      { url: `/ws?ticket=${SECRETS.ticket}`, req: { url: `/api/x?token=${SECRETS.token}&a=1` }, path: '/r/abc' },
      'refused upgrade',
    );
    expect(raw()).not.toContain(SECRETS.ticket);
    expect(raw()).not.toContain(SECRETS.token);
    expect(lines[0]!.url).toBe(`/ws?ticket=${REDACTED}`);
    expect(lines[0]!.req.url).toBe(`/api/x?token=${REDACTED}&a=${REDACTED}`);
    expect(lines[0]!.path).toBe('/r/abc');
  });

  it('trims the URL an Invalid URL error carries', () => {
    const { logger, raw } = capture();
    let err: unknown;
    try {
      new URL(`//a:99999/x?ticket=${SECRETS.ticket}`);
    } catch (e) {
      err = e;
    }
    logger.warn({ err }, 'bad request target');
    expect(raw()).toContain('//a:99999/x?ticket=');
    expect(raw()).not.toContain(SECRETS.ticket);
  });

  it('redacts in child loggers too', () => {
    const { logger, raw } = capture();
    logger.child({ roomId: 'r1' }).info({ grant: { ticket: SECRETS.ticket }, password: SECRETS.password }, 'child line');
    expect(raw()).toContain('"roomId":"r1"');
    expect(raw()).not.toContain(SECRETS.ticket);
    expect(raw()).not.toContain(SECRETS.password);
  });

  it('trims URLs: every query value and the fragment go, the path stays', () => {
    expect(redactUrl('/ws')).toBe('/ws');
    expect(redactUrl('/ws?ticket=abc')).toBe(`/ws?ticket=${REDACTED}`);
    expect(redactUrl('https://h/r/x?a=1&b&c=#k=key')).toBe(`https://h/r/x?a=${REDACTED}&${REDACTED}&c=${REDACTED}#${REDACTED}`);
    expect(redactUrl('//a:99999/x?%zz')).toBe(`//a:99999/x?${REDACTED}`);
  });
});
