import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadTls, localNames, selfSignedCertificate, TlsError } from './tls.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'conclave-tls-'));
const names = { dns: ['localhost', 'meet.lan'], ips: ['127.0.0.1', '::1', '192.168.1.23'] };

describe('selfSignedCertificate', () => {
  it('makes a certificate for every name, keeps it in the data directory with a private key file', async () => {
    const dir = tmp();
    const t = await selfSignedCertificate(dir, names);
    expect(t.selfSigned).toBe(true);
    const x509 = new X509Certificate(t.cert);
    expect(x509.checkHost('meet.lan')).toBe('meet.lan');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('192.168.1.23')).toBe('192.168.1.23');
    expect(x509.checkIP('::1')).toBeDefined();
    expect(x509.checkHost('other.example')).toBeUndefined();
    expect(x509.fingerprint256).toBe(t.fingerprint256);
    // Valid for a year (browsers refuse longer-lived TLS certificates), for server authentication.
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    expect(days).toBeGreaterThan(360);
    expect(days).toBeLessThan(370);
    expect(x509.toLegacyObject().ext_key_usage).toContain('1.3.6.1.5.5.7.3.1');
    expect(readFileSync(path.join(dir, 'tls', 'self-signed.crt'), 'utf8')).toBe(t.cert);
    expect(statSync(path.join(dir, 'tls', 'self-signed.key')).mode & 0o777).toBe(0o600);
  });

  it('gives the same certificate again, so a phone accepts it only once', async () => {
    const dir = tmp();
    const a = await selfSignedCertificate(dir, names);
    const b = await selfSignedCertificate(dir, { dns: ['localhost'], ips: ['127.0.0.1'] });
    expect(b.fingerprint256).toBe(a.fingerprint256);
  });

  it('makes a new one when an address is missing from it, or it is about to expire', async () => {
    const dir = tmp();
    const a = await selfSignedCertificate(dir, names);
    const b = await selfSignedCertificate(dir, { ...names, ips: [...names.ips, '10.1.2.3'] });
    expect(b.fingerprint256).not.toBe(a.fingerprint256);
    expect(new X509Certificate(b.cert).checkIP('10.1.2.3')).toBe('10.1.2.3');
    const later = new Date(Date.now() + 340 * 86_400_000);
    const c = await selfSignedCertificate(dir, names, undefined, later);
    expect(c.fingerprint256).not.toBe(b.fingerprint256);
  });

  it('replaces a damaged stored certificate', async () => {
    const dir = tmp();
    const a = await selfSignedCertificate(dir, names);
    writeFileSync(path.join(dir, 'tls', 'self-signed.crt'), 'garbage');
    const b = await selfSignedCertificate(dir, names);
    expect(b.fingerprint256).not.toBe(a.fingerprint256);
  });
});

describe('self-signed certificate files at rest', () => {
  /** A logger whose lines are collected. */
  function recorder() {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    return { logger, lines };
  }

  it('keeps the key directory 0700 and the key 0600, tightening them (with a log line) when found looser', async () => {
    const dir = tmp();
    const a = await selfSignedCertificate(dir, names);
    expect(statSync(path.join(dir, 'tls')).mode & 0o777).toBe(0o700);
    chmodSync(path.join(dir, 'tls'), 0o755);
    chmodSync(path.join(dir, 'tls', 'self-signed.key'), 0o644);
    const { logger, lines } = recorder();
    const b = await selfSignedCertificate(dir, names, logger);
    expect(b.fingerprint256).toBe(a.fingerprint256); // the same certificate, kept
    expect(statSync(path.join(dir, 'tls')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'tls', 'self-signed.key')).mode & 0o777).toBe(0o600);
    const told = lines.filter((l) => String(l['msg']).includes('tightened'));
    expect(told.map((l) => [l['was'], l['now']])).toEqual([
      ['0755', '0700'],
      ['0644', '0600'],
    ]);
    // Nothing to say when they are right.
    const again = recorder();
    await selfSignedCertificate(dir, names, again.logger);
    expect(again.lines.filter((l) => String(l['msg']).includes('tightened'))).toEqual([]);
  });

  it("warns (and leaves it be) when an admin's own key file is readable by everyone", async () => {
    const dir = tmp();
    const t = await selfSignedCertificate(path.join(dir, 'src'), names);
    const certFile = path.join(dir, 'c.pem');
    const keyFile = path.join(dir, 'k.pem');
    writeFileSync(certFile, t.cert);
    writeFileSync(keyFile, t.key, { mode: 0o644 });
    chmodSync(keyFile, 0o644);
    const { logger, lines } = recorder();
    await loadTls({ kind: 'files', certFile, keyFile }, { dataDir: dir, logger });
    expect(lines.some((l) => String(l['msg']).includes('readable by every user') && l['mode'] === '0644')).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o644);
    chmodSync(keyFile, 0o640);
    const quiet = recorder();
    await loadTls({ kind: 'files', certFile, keyFile }, { dataDir: dir, logger: quiet.logger });
    expect(quiet.lines.some((l) => String(l['msg']).includes('readable by every user'))).toBe(false);
  });
});

describe('localNames', () => {
  it('names localhost, loopback and the extra names, skipping wildcard addresses', () => {
    const n = localNames(['203.0.113.7', '0.0.0.0', 'meet.example.org']);
    expect(n.dns).toEqual(expect.arrayContaining(['localhost', 'meet.example.org']));
    expect(n.ips).toEqual(expect.arrayContaining(['127.0.0.1', '::1', '203.0.113.7']));
    expect(n.ips).not.toContain('0.0.0.0');
  });
});

describe('loadTls from files', () => {
  async function pair(dir: string, name: string) {
    const t = await selfSignedCertificate(path.join(dir, name), names);
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    writeFileSync(certFile, t.cert);
    writeFileSync(keyFile, t.key);
    return { certFile, keyFile, t };
  }

  it('loads a certificate and its key', async () => {
    const dir = tmp();
    const { certFile, keyFile, t } = await pair(dir, 'a');
    const loaded = await loadTls({ kind: 'files', certFile, keyFile }, { dataDir: dir });
    expect(loaded).toMatchObject({ selfSigned: false, fingerprint256: t.fingerprint256 });
  });

  it('says what is wrong with a bad pair, in one line', async () => {
    const dir = tmp();
    const a = await pair(dir, 'a');
    const b = await pair(dir, 'b');
    await expect(loadTls({ kind: 'files', certFile: a.certFile, keyFile: b.keyFile }, { dataDir: dir })).rejects.toThrow(
      /the key does not belong to the certificate/,
    );
    await expect(loadTls({ kind: 'files', certFile: a.keyFile, keyFile: a.keyFile }, { dataDir: dir })).rejects.toThrow(TlsError);
    await expect(loadTls({ kind: 'files', certFile: a.certFile, keyFile: a.certFile }, { dataDir: dir })).rejects.toThrow(
      /not an unencrypted PEM private key/,
    );
    await expect(loadTls({ kind: 'files', certFile: path.join(dir, 'none'), keyFile: a.keyFile }, { dataDir: dir })).rejects.toThrow(
      /cannot read/,
    );
  });
});
