/**
 * The certificate and key the app serves HTTPS with: read from the files an
 * admin names (CONCLAVE_TLS_CERT / CONCLAVE_TLS_KEY), or a self-signed one
 * for trying Conclave on a LAN from a phone (CONCLAVE_TLS_SELF_SIGNED=1 or
 * `--self-signed`).
 *
 * The self-signed certificate is made with the `selfsigned` package (pure
 * JavaScript over WebCrypto, so it works in the slim Docker image without an
 * openssl binary) and is kept in <data dir>/tls/, so a phone has to accept it
 * only once. It is made again only when it nears expiry or no longer names
 * every address this machine is reached on. Its directory is 0700 and its
 * key 0600 (tightened, with a log line, if found looser). A key file the admin
 * names is theirs and left as it is, with a warning when others may read it.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import type { TlsConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { ensurePrivateDir, ensurePrivateFile, octal, tightenedLine, type Tightened } from '../store/file-modes.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  selfSigned: boolean;
  /** SHA-256 fingerprint, as browsers show it: lets a user check a self-signed certificate. */
  fingerprint256: string;
}

export class TlsError extends Error {
  override name = 'TlsError';
}

/** Keep a self-signed certificate while it is valid for at least this long. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
/** Validity of a new self-signed certificate (Apple refuses TLS certificates valid for more than 825 days). */
const SELF_SIGNED_DAYS = 365;

/** Names a self-signed certificate must carry: localhost, this host's name and every address it has. */
export function localNames(extra: string[] = []): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost']);
  const ips = new Set(['127.0.0.1', '::1']);
  const hostname = os.hostname();
  if (hostname && /^[A-Za-z0-9.-]+$/.test(hostname)) dns.add(hostname);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (!a.address.startsWith('fe80:')) ips.add(a.address);
  }
  for (const name of extra) {
    if (!name || name === '0.0.0.0' || name === '::') continue;
    (isIP(name) ? ips : dns).add(name);
  }
  return { dns: [...dns], ips: [...ips] };
}

/** Checks that `cert` is a PEM certificate, `key` its private key; returns the parsed certificate. */
function check(cert: string, key: string, source: string): X509Certificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsError(`${source}: the certificate is not a PEM X.509 certificate`);
  }
  let keyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch {
    throw new TlsError(`${source}: the key is not an unencrypted PEM private key`);
  }
  if (!x509.checkPrivateKey(keyObject)) throw new TlsError(`${source}: the key does not belong to the certificate`);
  return x509;
}

function covers(x509: X509Certificate, names: { dns: string[]; ips: string[] }): boolean {
  return names.dns.every((n) => x509.checkHost(n, { wildcards: false }) === n) && names.ips.every((ip) => x509.checkIP(ip) === ip);
}

/**
 * The self-signed certificate kept in `<dataDir>/tls/`, made (again) when
 * missing, expiring within 30 days, or not naming all of `names`.
 */
export async function selfSignedCertificate(
  dataDir: string,
  names: { dns: string[]; ips: string[] },
  logger?: Logger,
  now = new Date(),
): Promise<TlsMaterial> {
  const dir = path.join(dataDir, 'tls');
  const certFile = path.join(dir, 'self-signed.crt');
  const keyFile = path.join(dir, 'self-signed.key');
  const tightened = (t: Tightened | null) => t && logger?.warn(...tightenedLine(t, 'TLS files'));
  tightened(ensurePrivateDir(dir));
  if (existsSync(certFile) && existsSync(keyFile)) {
    tightened(ensurePrivateFile(keyFile));
    try {
      const cert = readFileSync(certFile, 'utf8');
      const key = readFileSync(keyFile, 'utf8');
      const x509 = check(cert, key, certFile);
      if (new Date(x509.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS && covers(x509, names)) {
        return { cert, key, selfSigned: true, fingerprint256: x509.fingerprint256 };
      }
      logger?.info({ certFile }, 'self-signed certificate is expiring or misses an address of this machine: making a new one');
    } catch (err) {
      logger?.warn({ certFile, err: (err as Error).message }, 'cannot use the stored self-signed certificate: making a new one');
    }
  }
  const notAfter = new Date(now.getTime() + SELF_SIGNED_DAYS * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'Conclave (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  // Key first, private from the start; each file appears whole (written aside, then renamed).
  writeFileSync(`${keyFile}.tmp`, pems.private, { mode: 0o600 });
  chmodSync(`${keyFile}.tmp`, 0o600);
  renameSync(`${keyFile}.tmp`, keyFile);
  writeFileSync(`${certFile}.tmp`, pems.cert);
  renameSync(`${certFile}.tmp`, certFile);
  const x509 = check(pems.cert, pems.private, certFile);
  logger?.info({ certFile, names: [...names.dns, ...names.ips] }, 'made a self-signed certificate');
  return { cert: pems.cert, key: pems.private, selfSigned: true, fingerprint256: x509.fingerprint256 };
}

/** Loads (or makes) what the configured TLS mode needs. Throws TlsError with one line saying what is wrong. */
export async function loadTls(
  tls: TlsConfig,
  options: { dataDir: string; extraNames?: string[]; logger?: Logger; now?: Date },
): Promise<TlsMaterial> {
  if (tls.kind === 'self-signed') {
    return selfSignedCertificate(options.dataDir, localNames(options.extraNames), options.logger, options.now);
  }
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(tls.certFile, 'utf8');
    key = readFileSync(tls.keyFile, 'utf8');
  } catch (err) {
    throw new TlsError(`cannot read the TLS certificate or key: ${(err as Error).message}`);
  }
  const x509 = check(cert, key, `CONCLAVE_TLS_CERT=${tls.certFile}`);
  const keyMode = statSync(tls.keyFile).mode & 0o777;
  if (keyMode & 0o007) {
    options.logger?.warn(
      { keyFile: tls.keyFile, mode: octal(keyMode) },
      'the TLS private key is readable by every user of this machine: chmod 600 (or 640) it',
    );
  }
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() < (options.now ?? new Date()).getTime()) {
    options.logger?.warn({ certFile: tls.certFile, validTo: validTo.toISOString() }, 'the TLS certificate has expired');
  }
  return { cert, key, selfSigned: false, fingerprint256: x509.fingerprint256 };
}
