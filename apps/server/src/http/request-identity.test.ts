import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bareAddress, clientIp, isHttps } from './request-identity.js';

function req(headers: Record<string, string | string[]>, remoteAddress = '10.0.0.2', encrypted = false): IncomingMessage {
  return { headers, socket: { remoteAddress, encrypted } } as unknown as IncomingMessage;
}

describe('clientIp', () => {
  it('uses the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientIp(req({ 'x-forwarded-for': '203.0.113.9' }), 0)).toBe('10.0.0.2');
  });

  it('reads X-Forwarded-For from the right, skipping what the client wrote itself', () => {
    // The client sent "1.1.1.1"; the one trusted proxy appended the address it saw.
    const r = req({ 'x-forwarded-for': '1.1.1.1, 203.0.113.9' });
    expect(clientIp(r, 1)).toBe('203.0.113.9');
    // Two proxies: the outer one appended the client, the inner one the outer proxy.
    expect(clientIp(req({ 'x-forwarded-for': '1.1.1.1, 203.0.113.9, 10.0.0.7' }), 2)).toBe('203.0.113.9');
  });

  it('joins repeated X-Forwarded-For headers before reading from the right', () => {
    expect(clientIp(req({ 'x-forwarded-for': ['1.1.1.1', '203.0.113.9'] }), 1)).toBe('203.0.113.9');
  });

  it('takes the leftmost entry when there are fewer entries than hops', () => {
    expect(clientIp(req({ 'x-forwarded-for': '203.0.113.9' }), 3)).toBe('203.0.113.9');
  });

  it('falls back to the socket address when the header is missing, empty or not an address', () => {
    expect(clientIp(req({}), 1)).toBe('10.0.0.2');
    expect(clientIp(req({ 'x-forwarded-for': ' , ' }), 1)).toBe('10.0.0.2');
    expect(clientIp(req({ 'x-forwarded-for': 'evil.example' }), 1)).toBe('10.0.0.2');
  });

  it('strips ports and brackets some proxies add', () => {
    expect(clientIp(req({ 'x-forwarded-for': '203.0.113.9:5123' }), 1)).toBe('203.0.113.9');
    expect(clientIp(req({ 'x-forwarded-for': '[2001:db8::1]:443' }), 1)).toBe('2001:db8::1');
    expect(bareAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(bareAddress('[nonsense]')).toBeNull();
  });
});

describe('isHttps', () => {
  it('is true on a TLS socket', () => {
    expect(isHttps(req({}, '10.0.0.2', true), 0)).toBe(true);
  });

  it('believes X-Forwarded-Proto only from a trusted proxy', () => {
    expect(isHttps(req({ 'x-forwarded-proto': 'https' }), 0)).toBe(false);
    expect(isHttps(req({ 'x-forwarded-proto': 'https' }), 1)).toBe(true);
    expect(isHttps(req({ 'x-forwarded-proto': 'HTTPS' }), 1)).toBe(true);
    expect(isHttps(req({ 'x-forwarded-proto': 'http' }), 1)).toBe(false);
    // Read from the right like X-Forwarded-For: the client's own "https" does not count.
    expect(isHttps(req({ 'x-forwarded-proto': 'https, http' }), 1)).toBe(false);
  });
});
