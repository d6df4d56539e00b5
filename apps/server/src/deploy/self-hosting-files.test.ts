/**
 * The self-hosting files agree with each other and with the server:
 * docker-compose.yml, .env.example, coturn.conf, Caddyfile,
 * docs/self-hosting.md and the server's configuration schema name the same
 * variables and the same ports. Debian's docker-compose (v1) and Caddy check
 * the compose file and the Caddyfile the way the real tools read them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES, envSchema, loadConfig } from '../config.js';
import { REPO_ROOT } from '../test-support/coturn.js';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const composeText = read('docker-compose.yml');
const envExampleText = read('.env.example');
const coturnConf = read('coturn.conf');
const caddyfile = read('Caddyfile');
const doc = read('docs/self-hosting.md');

interface Service {
  environment?: Record<string, string | number>;
  network_mode?: string;
  ports?: unknown[];
  restart?: string;
  healthcheck?: { test: string[] };
  volumes?: string[];
}
const compose = parse(composeText) as { services: Record<string, Service>; volumes: Record<string, { name: string }> };

/** KEY=VALUE lines of .env.example. */
const envExample = new Map(
  envExampleText
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!] as const),
);
const example = (name: string) => {
  const v = envExample.get(name);
  if (v === undefined) throw new Error(`.env.example has no ${name}`);
  return v;
};
const confValue = (key: string) => {
  const m = new RegExp(`^${key}=(.*)$`, 'm').exec(coturnConf);
  if (!m) throw new Error(`coturn.conf has no ${key}`);
  return m[1]!;
};
/** Every ${VAR}, ${VAR:-default} or ${VAR:?message} in the compose file, with its default. */
const composeRefs = [...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g)].map((m) => ({
  name: m[1]!,
  default: m[2] === '-' ? m[3]! : undefined,
}));
const schemaDefaults = envSchema.parse({});

/** `docker-compose config` with .env.example, in an environment that cannot leak into it. */
function composeConfig(): { services: Record<string, Service> } {
  const out = execFileSync('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parse(out);
}

describe('docker-compose.yml', () => {
  it("Debian's docker-compose accepts it with .env.example, and passes the example values through", () => {
    const resolved = composeConfig();
    expect(Object.keys(resolved.services).sort()).toEqual(['app', 'caddy', 'coturn']);
    const app = resolved.services.app!.environment!;
    for (const name of ['CONCLAVE_PUBLIC_IP', 'CONCLAVE_TURN_URLS', 'CONCLAVE_TURN_SECRET', 'CONCLAVE_RTC_PORT', 'PORT']) {
      expect(String(app[name]), name).toBe(example(name));
    }
    expect(resolved.services.coturn!.environment!.CONCLAVE_TURN_SECRET).toBe(example('CONCLAVE_TURN_SECRET'));
    expect(resolved.services.caddy!.environment!.CONCLAVE_DOMAIN).toBe(example('CONCLAVE_DOMAIN'));
  });

  it('gives the app only variables the server reads', () => {
    const known = new Set<string>(ENV_VARIABLES);
    const unknown = Object.keys(compose.services.app!.environment!).filter((name) => !known.has(name));
    expect(unknown, 'not in the config schema (apps/server/src/config.ts)').toEqual([]);
  });

  it('uses exactly the variables .env.example names', () => {
    const referenced = new Set(composeRefs.map((r) => r.name));
    expect([...referenced].sort()).toEqual([...envExample.keys()].sort());
  });

  it("has defaults that match the server's own", () => {
    const shape = envSchema.shape as Record<string, { parse: (v: unknown) => unknown }>;
    for (const ref of composeRefs) {
      if (ref.default === undefined || ref.default === '' || !shape[ref.name]) continue;
      // Compared as the server reads them ("0" is the flag false, "3000" the port 3000).
      expect(shape[ref.name]!.parse(ref.default), ref.name).toEqual(schemaDefaults[ref.name as keyof typeof schemaDefaults]);
    }
  });

  it('runs every service on the host network, with a restart policy and a healthcheck; data on named volumes', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.network_mode, name).toBe('host');
      expect(service.ports, `${name} publishes nothing (host network)`).toBeUndefined();
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
    // The app's own HTTP port stays on loopback: only Caddy reaches it.
    expect(compose.services.app!.environment!.HOST).toBe('127.0.0.1');
    expect(compose.services.app!.volumes).toContain(`conclave-data:${compose.services.app!.environment!.CONCLAVE_DATA_DIR}`);
    expect(
      Object.values(compose.volumes)
        .map((v) => v.name)
        .sort(),
    ).toEqual(['conclave-caddy-config', 'conclave-caddy-data', 'conclave-data']);
  });
});

describe('.env.example', () => {
  it('is a configuration the server accepts, once the example secret is replaced', () => {
    const app = composeConfig().services.app!.environment!;
    const env = Object.fromEntries(Object.entries(app).map(([k, v]) => [k, String(v)]));
    const base = { ...env, MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN };
    // As shipped, the secret is a placeholder and the server refuses to start with it.
    expect(() => loadConfig(base)).toThrow(/CONCLAVE_TURN_SECRET=\(hidden\): is still the example value/);
    const config = loadConfig({ ...base, CONCLAVE_TURN_SECRET: 'f'.repeat(64) });
    expect(config.turn?.urls.length).toBe(3);
    expect(config.iceTransportPolicy).toBe('all');
    expect(config.host).toBe('127.0.0.1');
  });

  it('names the RTC port range the firewall must open', () => {
    const first = Number(example('CONCLAVE_RTC_PORT'));
    const last = first + Number(example('CONCLAVE_WORKERS')) - 1;
    expect(envExampleText).toContain(`open ${first}-${last} UDP and TCP`);
  });
});

describe('ports', () => {
  const listening = Number(confValue('listening-port'));
  const tlsListening = Number(confValue('tls-listening-port'));
  const relay = `${confValue('min-port')}-${confValue('max-port')}`;
  const turnUrls = example('CONCLAVE_TURN_URLS').split(',');

  it('TURN URLs point at CONCLAVE_DOMAIN on the ports coturn.conf listens on', () => {
    expect(turnUrls.length).toBeGreaterThan(0);
    for (const url of turnUrls) {
      const m = /^(turns?):([^:?]+):(\d+)/.exec(url);
      expect(m, url).not.toBeNull();
      expect(m![2], url).toBe(example('CONCLAVE_DOMAIN'));
      expect(Number(m![3]), url).toBe(m![1] === 'turns' ? tlsListening : listening);
    }
    expect(turnUrls.some((u) => u.startsWith('turns:'))).toBe(true);
  });

  it("coturn's healthcheck asks the port coturn.conf listens on", () => {
    const test = compose.services.coturn!.healthcheck!.test;
    expect(test[test.indexOf('-p') + 1]).toBe(String(listening));
  });

  it('Caddy forwards to the port the app listens on', () => {
    expect(caddyfile).toMatch(/reverse_proxy 127\.0\.0\.1:\{\$PORT:(\d+)\}/);
    const caddyDefault = /\{\$PORT:(\d+)\}/.exec(caddyfile)![1];
    expect(caddyDefault).toBe(String(schemaDefaults.PORT));
    expect(compose.services.caddy!.environment!.PORT).toBe(compose.services.app!.environment!.PORT);
  });

  it('every port to open is listed in the compose file and in docs/self-hosting.md', () => {
    const rtc = example('CONCLAVE_RTC_PORT');
    for (const text of [composeText, doc]) {
      for (const port of [
        '80/tcp',
        '443/tcp',
        '443/udp',
        `${listening}/udp`,
        `${listening}/tcp`,
        `${tlsListening}/tcp`,
        `${relay}/udp`,
        rtc,
      ]) {
        expect(text, port).toContain(port);
      }
    }
  });

  it('docs/self-hosting.md explains every variable of .env.example', () => {
    for (const name of envExample.keys()) expect(doc, name).toContain(name);
  });
});

describe('Caddyfile', () => {
  it('Caddy reads it: HTTPS for CONCLAVE_DOMAIN, forwarded to the app on 127.0.0.1:PORT', () => {
    const json = execFileSync('caddy', ['adapt', '--config', path.join(REPO_ROOT, 'Caddyfile'), '--adapter', 'caddyfile'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CONCLAVE_DOMAIN: example('CONCLAVE_DOMAIN'), PORT: example('PORT'), HOME: '/tmp' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const text = JSON.stringify(JSON.parse(json));
    expect(text).toContain(`"host":["${example('CONCLAVE_DOMAIN')}"]`);
    expect(text).toContain(`"dial":"127.0.0.1:${example('PORT')}"`);
    expect(text).toContain('"listen":[":443"]');
  });
});

describe('docs/multi-node.md', () => {
  it('gives a Caddyfile Caddy reads: round-robin over the nodes, checking their health', () => {
    const doc = read('docs/multi-node.md');
    const block = /```\n(meet\.example\.org \{[\s\S]*?)```/.exec(doc)?.[1];
    expect(block, 'a Caddyfile in a fenced block').toBeDefined();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conclave-caddy-'));
    writeFileSync(path.join(dir, 'Caddyfile'), block!);
    const json = execFileSync('caddy', ['adapt', '--config', path.join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const text = JSON.stringify(JSON.parse(json));
    expect(text).toContain('"dial":"10.0.0.2:3000"');
    expect(text).toContain('"dial":"10.0.0.3:3000"');
    expect(text).toContain('"policy":"round_robin"');
    expect(text).toContain('"uri":"/healthz"');
  });
});

describe('what coturn may relay to', () => {
  const firewall = (env: Record<string, string>) =>
    execFileSync('sh', [path.join(REPO_ROOT, 'scripts/coturn/relay-firewall.sh')], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('relays no TCP, and denies loopback, private and metadata ranges', () => {
    expect(coturnConf).toMatch(/^no-tcp-relay$/m);
    expect(coturnConf).toMatch(/^no-multicast-peers$/m);
    for (const range of [
      '127.0.0.0-127.255.255.255',
      '10.0.0.0-10.255.255.255',
      '169.254.0.0-169.254.255.255',
      '192.168.0.0-192.168.255.255',
      '::1',
      'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]) {
      expect(coturnConf).toContain(`denied-peer-ip=${range}\n`);
    }
    // Nothing is let back in: no allowed-peer-ip and no loopback peers in the production file.
    expect(coturnConf).not.toMatch(/^allowed-peer-ip=/m);
    expect(coturnConf).not.toMatch(/^allow-loopback-peers/m);
  });

  it('the host firewall rule lets relayed UDP reach the public address only on the media ports of .env.example', () => {
    const first = Number(example('CONCLAVE_RTC_PORT'));
    const last = first + Number(example('CONCLAVE_WORKERS')) - 1;
    const rules = firewall({
      CONCLAVE_PUBLIC_IP: example('CONCLAVE_PUBLIC_IP'),
      CONCLAVE_RTC_PORT: String(first),
      CONCLAVE_WORKERS: example('CONCLAVE_WORKERS'),
    });
    expect(rules).toContain(
      `ip daddr ${example('CONCLAVE_PUBLIC_IP')} udp sport ${confValue('min-port')}-${confValue('max-port')} udp dport != ${first}-${last} counter reject`,
    );
    // It replaces only its own table.
    expect(rules).toMatch(/^delete table inet conclave_turn$/m);
    expect(firewall({ CONCLAVE_PUBLIC_IP: '2001:db8::10', CONCLAVE_RTC_PORT: '40000', CONCLAVE_WORKERS: '1' })).toContain(
      'ip6 daddr 2001:db8::10 udp sport 49152-65535 udp dport != 40000 counter reject',
    );
  });

  it('the firewall script refuses what it cannot turn into a rule', () => {
    const fails = (env: Record<string, string>) => {
      try {
        firewall(env);
        return '';
      } catch (err) {
        return String((err as { stderr?: string }).stderr);
      }
    };
    expect(fails({})).toMatch(/CONCLAVE_PUBLIC_IP must be set/);
    expect(fails({ CONCLAVE_PUBLIC_IP: '203.0.113.10; flush ruleset', CONCLAVE_WORKERS: '1' })).toMatch(/not an IP address/);
    expect(fails({ CONCLAVE_PUBLIC_IP: '203.0.113.10', CONCLAVE_RTC_PORT: 'x', CONCLAVE_WORKERS: '1' })).toMatch(/not a port/);
    expect(fails({ CONCLAVE_PUBLIC_IP: '203.0.113.10', CONCLAVE_RTC_PORT: '50000', CONCLAVE_WORKERS: '2' })).toMatch(
      /overlap the media ports/,
    );
  });

  it('TURN credentials live minutes by default (compose and .env.example agree with the server)', () => {
    expect(Number(example('CONCLAVE_TURN_TTL'))).toBeLessThanOrEqual(3600);
    expect(composeText).toContain('CONCLAVE_TURN_TTL: ${CONCLAVE_TURN_TTL:-600}');
    expect(schemaDefaults.CONCLAVE_TURN_TTL).toBe(600);
  });
});
