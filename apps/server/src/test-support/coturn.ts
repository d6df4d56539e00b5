/**
 * Runs Debian's coturn for a test, on 127.0.0.1 only, through the same
 * scripts/coturn/entrypoint.sh the docker-compose service runs, with a
 * configuration derived from the repository's coturn.conf.
 *
 * Why a derived configuration: coturn.conf refuses to relay to loopback
 * addresses (denied-peer-ip 127.0.0.0/8 and ::1), which is right in
 * production, where TURN must not become a way into the host. In a test the
 * SFU listens on 127.0.0.1, so the `relay-to-loopback` variant lifts exactly
 * those two lines and adds `allow-loopback-peers`; every other line of the
 * production file (authentication, quotas, the other denied ranges, …) stays
 * in force. The `production` variant lifts nothing. Both listen and relay on
 * 127.0.0.1 only, on ports the test chooses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TurnSession } from './turn-client.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const COTURN_CONF = path.join(REPO_ROOT, 'coturn.conf');
const ENTRYPOINT = path.join(REPO_ROOT, 'scripts/coturn/entrypoint.sh');

export interface CoturnOptions {
  variant: 'relay-to-loopback' | 'production';
  realm: string;
  secret: string;
  /** PEM certificate and key for `realm`: laid out as in Caddy's store, so the entrypoint finds them and turns TLS on. */
  tls?: { cert: string; key: string };
}

export interface Coturn {
  port: number;
  tlsPort: number | null;
  relayPorts: { min: number; max: number };
  /** The run-time configuration coturn was started with (secret included). */
  config: string;
  log(): string;
  close(): Promise<void>;
}

/** A port free on 127.0.0.1 for both UDP and TCP right now. */
async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
    );
    const udp = dgram.createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    await new Promise((r) => server.close(r));
    if (udpFree) return port;
  }
}

/** coturn.conf with this test's ports and addresses (and, for relay-to-loopback, loopback peers allowed). */
export function testCoturnConfig(
  variant: CoturnOptions['variant'],
  ports: { listening: number; tls: number; min: number; max: number },
  pidFile: string,
): string {
  let conf = readFileSync(COTURN_CONF, 'utf8');
  const set = (key: string, value: number | string) => {
    const re = new RegExp(`^${key}=.*$`, 'm');
    if (!re.test(conf)) throw new Error(`coturn.conf has no ${key}= line`);
    conf = conf.replace(re, `${key}=${value}`);
  };
  set('listening-port', ports.listening);
  set('tls-listening-port', ports.tls);
  set('min-port', ports.min);
  set('max-port', ports.max);
  set('pidfile', pidFile);
  if (variant === 'relay-to-loopback') {
    const before = conf;
    conf = conf.replace(/^denied-peer-ip=127\.0\.0\.0-127\.255\.255\.255\n/m, '').replace(/^denied-peer-ip=::1\n/m, '');
    if (before.length - conf.length !== 'denied-peer-ip=127.0.0.0-127.255.255.255\ndenied-peer-ip=::1\n'.length) {
      throw new Error('coturn.conf no longer denies 127.0.0.0/8 and ::1 in the form this test lifts');
    }
    conf += '\n# test only: the SFU under test listens on 127.0.0.1\nallow-loopback-peers\n';
  }
  conf += '\n# test only: nothing but loopback\nlistening-ip=127.0.0.1\nrelay-ip=127.0.0.1\n';
  return conf;
}

export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conclave-coturn-'));
  const port = await freePort();
  let tlsPort = await freePort();
  while (tlsPort === port) tlsPort = await freePort();
  const min = 50000 + Math.floor(Math.random() * 300) * 40;
  const relayPorts = { min, max: min + 39 };
  const confFile = path.join(dir, 'coturn.conf');
  writeFileSync(
    confFile,
    testCoturnConfig(options.variant, { listening: port, tls: tlsPort, ...relayPorts }, path.join(dir, 'turnserver.pid')),
  );
  const certDir = path.join(dir, 'certificates');
  if (options.tls) {
    const site = path.join(certDir, 'acme.test-directory', options.realm);
    mkdirSync(site, { recursive: true });
    writeFileSync(path.join(site, `${options.realm}.crt`), options.tls.cert);
    writeFileSync(path.join(site, `${options.realm}.key`), options.tls.key, { mode: 0o600 });
  }

  let output = '';
  const child: ChildProcess = spawn('sh', [ENTRYPOINT], {
    env: {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CONCLAVE_DOMAIN: options.realm,
      CONCLAVE_TURN_SECRET: options.secret,
      COTURN_CONF: confFile,
      COTURN_RUN_DIR: path.join(dir, 'run'),
      COTURN_CERT_DIR: certDir,
      COTURN_CERT_WAIT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b) => (output += b));
  child.stderr!.on('data', (b) => (output += b));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const coturn: Coturn = {
    port,
    tlsPort: options.tls ? tlsPort : null,
    relayPorts,
    config: '',
    log: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };

  // Ready when it answers an Allocate (with a 401 challenge: no credentials are sent here).
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`coturn exited with ${child.exitCode}:\n${output}`);
    const probe = await TurnSession.open({ host: '127.0.0.1', port, username: 'probe', password: 'probe' });
    const answered = await probe.challenge().then(
      () => true,
      () => false,
    );
    await probe.close();
    if (answered) break;
    if (Date.now() > deadline) {
      await coturn.close();
      throw new Error(`coturn did not answer on 127.0.0.1:${port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  coturn.config = readFileSync(path.join(dir, 'run', 'turnserver.conf'), 'utf8');
  return coturn;
}
