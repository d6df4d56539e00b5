import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { MAX_TARGET_LENGTH } from './limits.js';
import { parseRequestTarget, requestPath, requestTarget } from './request-target.js';

describe('parseRequestTarget', () => {
  it('splits an ordinary target into its path and query', () => {
    const t = parseRequestTarget('/ws?ticket=abc%2Bdef&x=1');
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.pathname).toBe('/ws');
    expect(t.query.get('ticket')).toBe('abc+def');
    expect(t.query.get('x')).toBe('1');
  });

  it('keeps the path as sent: percent-encoded, dot segments untouched', () => {
    const t = parseRequestTarget('/r/caf%C3%A9/../x');
    expect(t.ok && t.pathname).toBe('/r/caf%C3%A9/../x');
  });

  it('accepts what browsers send unencoded in a path and a query', () => {
    for (const target of ['/', '/healthz', '/assets/index-AbC_12.js', "/r/a-b.c~d!$&'()*+,;=:@", '/x?q={a}|^[b]`', '/x?%zz', '/x?']) {
      expect(parseRequestTarget(target).ok, target).toBe(true);
    }
  });

  it.each([
    ['//a:99999/x', /must not start with \/\//],
    ['//[', /must not start with \/\//],
    ['//a%/x', /must not start with \/\//],
    ['/%zz', /not followed by two hex digits/],
    ['/a%', /not followed by two hex digits/],
    ['/a%4', /not followed by two hex digits/],
    ['/%ff', /UTF-8/],
    ['/%C3', /UTF-8/],
    ['/%00', /control character/],
    ['/a%0D%0Ab', /control character/],
    ['*', /starting with \//],
    ['http://example.com/x', /starting with \//],
    ['example.com:443', /starting with \//],
    ['', /no target/],
    ['/a b', /percent-encoded/],
    ['/a\tb', /percent-encoded/],
    ['/caf\u00e9', /percent-encoded/],
    ['/x#frag', /percent-encoded/],
    ['/x?a=\u0001', /percent-encoded/],
    ['/x?a=#', /percent-encoded/],
  ])('refuses %j with 400', (target, reason) => {
    const t = parseRequestTarget(target);
    expect(t.ok).toBe(false);
    if (t.ok) return;
    expect(t.status).toBe(400);
    expect(t.reason).toMatch(reason);
  });

  it('refuses a target over the length limit with 414, and accepts one at it', () => {
    const at = `/${'a'.repeat(MAX_TARGET_LENGTH - 1)}`;
    expect(parseRequestTarget(at).ok).toBe(true);
    const over = parseRequestTarget(`${at}a`);
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.status).toBe(414);
  });

  it('refuses undefined', () => {
    expect(parseRequestTarget(undefined).ok).toBe(false);
  });

  it('never throws, whatever the bytes', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const alphabet = '/%?#:@[]\u0000\u00ff\uffffaZ09.~ \t\r\n\\';
    for (let i = 0; i < 5_000; i++) {
      let s = next() % 3 === 0 ? '' : '/';
      const n = next() % 16;
      for (let j = 0; j < n; j++) s += alphabet[next() % alphabet.length];
      expect(() => parseRequestTarget(s)).not.toThrow();
    }
  });
});

describe('requestTarget', () => {
  it('parses once per request and again when the url changes', () => {
    const req = { url: '/healthz?x=1' } as IncomingMessage;
    const first = requestTarget(req);
    expect(requestTarget(req)).toBe(first);
    expect(requestPath(req)).toBe('/healthz');
    req.url = '//a:99999/x';
    expect(requestTarget(req).ok).toBe(false);
    expect(requestPath(req)).toBeNull();
  });
});
