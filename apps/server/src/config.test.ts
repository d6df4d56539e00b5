import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultNodeId, ENV_VARIABLES, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has embedded defaults for everything', () => {
    const c = loadConfig({ MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN });
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.publicIp).toBe('127.0.0.1');
    expect(c.rtcPort).toBe(40000);
    expect(c.workers).toBeGreaterThanOrEqual(1);
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN }).port).toBe(3000);
  });

  it('reports one clear line per bad value', () => {
    try {
      loadConfig({ PORT: 'eighty', CONCLAVE_PUBLIC_IP: 'example.com', CONCLAVE_WORKERS: '0', CONCLAVE_LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.find((p) => p.startsWith('PORT="eighty"'))).toMatch(/port number/);
      expect(problems.find((p) => p.startsWith('CONCLAVE_PUBLIC_IP="example.com"'))).toMatch(/IPv4 or IPv6/);
      expect(problems.find((p) => p.startsWith('CONCLAVE_WORKERS="0"'))).toMatch(/at least 1/);
      expect(problems.find((p) => p.startsWith('CONCLAVE_LOG_LEVEL="loud"'))).toBeDefined();
    }
  });

  it('refuses a port range that overflows', () => {
    expect(() => loadConfig({ CONCLAVE_RTC_PORT: '65535', CONCLAVE_WORKERS: '2' })).toThrow(/past 65535/);
  });

  it('takes a UDP port range for the media pipes between workers: both ends, in order, clear of the media ports', () => {
    const bin = { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN };
    expect(loadConfig(bin).pipePorts).toBeNull();
    expect(loadConfig({ ...bin, CONCLAVE_PIPE_PORT_MIN: '41000', CONCLAVE_PIPE_PORT_MAX: '41099' }).pipePorts).toEqual({
      min: 41000,
      max: 41099,
    });
    expect(() => loadConfig({ ...bin, CONCLAVE_PIPE_PORT_MIN: '41000' })).toThrow(
      /CONCLAVE_PIPE_PORT_MIN is set without CONCLAVE_PIPE_PORT_MAX/,
    );
    expect(() => loadConfig({ ...bin, CONCLAVE_PIPE_PORT_MIN: '41099', CONCLAVE_PIPE_PORT_MAX: '41000' })).toThrow(/is above/);
    expect(() =>
      loadConfig({
        ...bin,
        CONCLAVE_RTC_PORT: '40000',
        CONCLAVE_WORKERS: '2',
        CONCLAVE_PIPE_PORT_MIN: '39990',
        CONCLAVE_PIPE_PORT_MAX: '40001',
      }),
    ).toThrow(/overlaps the media ports CONCLAVE_RTC_PORT uses \(40000–40001/);
    expect(() => loadConfig({ ...bin, CONCLAVE_PIPE_PORT_MIN: 'low', CONCLAVE_PIPE_PORT_MAX: '41000' })).toThrow(/CONCLAVE_PIPE_PORT_MIN/);
  });

  it('refuses a worker binary that is not executable, and a missing one', () => {
    expect(() => loadConfig({ MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker' })).toThrow(/MEDIASOUP_WORKER_BIN/);
    // Installed offline, mediasoup has no binary of its own: the server says how to get one.
    expect(() => loadConfig({})).toThrow(/MEDIASOUP_WORKER_BIN is not set/);
  });

  it('places peers on workers by fill (the default) or even spread, with a CPU soft limit in percent', () => {
    const bin = { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN };
    expect(loadConfig(bin)).toMatchObject({ workerSpread: 'fill', workerCpuSoftLimit: 65 });
    expect(loadConfig({ ...bin, CONCLAVE_WORKER_SPREAD: 'even', CONCLAVE_WORKER_CPU_SOFT_LIMIT: '80' })).toMatchObject({
      workerSpread: 'even',
      workerCpuSoftLimit: 80,
    });
    expect(() => loadConfig({ ...bin, CONCLAVE_WORKER_SPREAD: 'random' })).toThrow(/CONCLAVE_WORKER_SPREAD="random": must be fill or even/);
    expect(() => loadConfig({ ...bin, CONCLAVE_WORKER_CPU_SOFT_LIMIT: '150' })).toThrow(
      /CONCLAVE_WORKER_CPU_SOFT_LIMIT="150": must be at most 100/,
    );
    expect(() => loadConfig({ ...bin, CONCLAVE_WORKER_CPU_SOFT_LIMIT: 'lots' })).toThrow(/CONCLAVE_WORKER_CPU_SOFT_LIMIT="lots"/);
  });

  it('turns cluster mode on with CONCLAVE_REDIS_URL, and then needs PostgreSQL, an internal URL and a shared secret', () => {
    const bin = { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN };
    expect(loadConfig(bin).cluster).toBeNull();
    const cluster = {
      ...bin,
      PORT: '3001',
      CONCLAVE_REDIS_URL: 'redis://:pw@10.0.0.5:6379',
      CONCLAVE_DATABASE_URL: 'postgres://conclave:pw@10.0.0.6/conclave',
      CONCLAVE_NODE_INTERNAL_URL: 'http://10.0.0.2:3001',
      CONCLAVE_CLUSTER_SECRET: 'c'.repeat(64),
    };
    expect(loadConfig({ ...cluster, CONCLAVE_NODE_ID: 'node-b' }).cluster).toEqual({
      redisUrl: 'redis://:pw@10.0.0.5:6379',
      nodeId: 'node-b',
      internalUrl: 'http://10.0.0.2:3001',
      secret: 'c'.repeat(64),
    });
    expect(loadConfig(cluster).cluster!.nodeId).toMatch(/^[a-z0-9][a-z0-9-]*-3001$/);
    const problems = (env: Record<string, string | undefined>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ ...bin, CONCLAVE_REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual([
      expect.stringMatching(/CONCLAVE_DATABASE_URL is not/),
      expect.stringMatching(/CONCLAVE_NODE_INTERNAL_URL is not/),
      expect.stringMatching(/CONCLAVE_CLUSTER_SECRET is not/),
    ]);
    expect(problems({ ...cluster, CONCLAVE_REDIS_URL: 'http://:secretpw@x' })).toEqual([
      expect.stringMatching(/^CONCLAVE_REDIS_URL=.*must be a redis:\/\/ or rediss:\/\/ URL/),
    ]);
    expect(problems({ ...cluster, CONCLAVE_REDIS_URL: 'http://:secretpw@x' })[0]).not.toContain('secretpw');
    expect(problems({ ...cluster, CONCLAVE_CLUSTER_SECRET: 'short-secret' })).toEqual([
      'CONCLAVE_CLUSTER_SECRET=(hidden): must be at least 32 characters (make one with: openssl rand -hex 32)',
    ]);
    expect(problems({ ...cluster, CONCLAVE_NODE_ID: 'Node_B' })[0]).toMatch(/^CONCLAVE_NODE_ID="Node_B": must be 1 to 40/);
    expect(problems({ ...cluster, CONCLAVE_NODE_INTERNAL_URL: 'ftp://x' })[0]).toMatch(
      /^CONCLAVE_NODE_INTERNAL_URL="ftp:\/\/x": must be an http/,
    );
    expect(problems({ ...bin, CONCLAVE_NODE_ID: 'node-b' })).toEqual([
      'CONCLAVE_NODE_ID is set but CONCLAVE_REDIS_URL is not: it only means something in cluster mode',
    ]);
    expect(defaultNodeId('Web_01.example.org', 3000)).toBe('web-01-example-org-3000');
    expect(defaultNodeId('x'.repeat(60), 3000)).toHaveLength(40);
  });

  it('splits allowed origins', () => {
    expect(
      loadConfig({
        CONCLAVE_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN,
      }).allowedOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });
});

describe('loadConfig: TURN and TLS', () => {
  const bin = { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN };
  const secret = '0123456789abcdef0123456789abcdef';

  it('has no TURN and no TLS by default', () => {
    const c = loadConfig(bin);
    expect(c.turn).toBeNull();
    expect(c.iceTransportPolicy).toBe('all');
    expect(c.tls).toBeNull();
  });

  it('reads TURN URLs, secret, lifetime and policy', () => {
    const c = loadConfig({
      ...bin,
      CONCLAVE_TURN_URLS: 'turn:meet.example.org:3478?transport=udp, turns:meet.example.org:5349?transport=tcp,turn:[2001:db8::1]',
      CONCLAVE_TURN_SECRET: secret,
      CONCLAVE_TURN_TTL: '900',
      CONCLAVE_TURN_CREDENTIALS_PER_MINUTE: '20',
      CONCLAVE_ICE_TRANSPORT_POLICY: 'relay',
    });
    expect(c.turn).toEqual({
      urls: ['turn:meet.example.org:3478?transport=udp', 'turns:meet.example.org:5349?transport=tcp', 'turn:[2001:db8::1]'],
      secret,
      ttlSeconds: 900,
      credentialsPerMinute: 20,
    });
    expect(c.iceTransportPolicy).toBe('relay');
    // Minutes, not hours, by default; and a few credentials a minute per address.
    expect(loadConfig({ ...bin, CONCLAVE_TURN_URLS: 'turn:127.0.0.1', CONCLAVE_TURN_SECRET: secret }).turn).toMatchObject({
      ttlSeconds: 600,
      credentialsPerMinute: 6,
    });
  });

  it('refuses a URL that is not turn: or turns:', () => {
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_URLS: 'stun:meet.example.org:3478', CONCLAVE_TURN_SECRET: secret })).toThrow(
      /^invalid configuration:\n {2}- CONCLAVE_TURN_URLS="stun:meet.example.org:3478": "stun:meet.example.org:3478" is not a TURN URL/,
    );
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_URLS: 'turn:a.example:3478?transport=sctp', CONCLAVE_TURN_SECRET: secret })).toThrow(
      /not a TURN URL/,
    );
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_URLS: 'https://meet.example.org', CONCLAVE_TURN_SECRET: secret })).toThrow(
      /not a TURN URL/,
    );
  });

  it('refuses TURN URLs without a secret, and a secret without URLs', () => {
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_URLS: 'turn:meet.example.org' })).toThrow(
      /CONCLAVE_TURN_URLS is set but CONCLAVE_TURN_SECRET is not/,
    );
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_SECRET: secret })).toThrow(
      /CONCLAVE_TURN_SECRET is set but CONCLAVE_TURN_URLS is empty/,
    );
  });

  it('refuses a short secret without ever printing it', () => {
    try {
      loadConfig({ ...bin, CONCLAVE_TURN_URLS: 'turn:meet.example.org', CONCLAVE_TURN_SECRET: 'hunter2' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems[0]).toMatch(/^CONCLAVE_TURN_SECRET=\(hidden\): must be at least 16 characters/);
      expect((err as Error).message).not.toContain('hunter2');
    }
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_URLS: 'turn:x.example', CONCLAVE_TURN_SECRET: 'sixteen chars and spaces' })).toThrow(
      /white space/,
    );
  });

  it('refuses the example secret from .env.example', () => {
    expect(() =>
      loadConfig({ ...bin, CONCLAVE_TURN_URLS: 'turn:x.example', CONCLAVE_TURN_SECRET: 'change-me-to-the-output-of-openssl-rand-hex-32' }),
    ).toThrow(/CONCLAVE_TURN_SECRET=\(hidden\): is still the example value/);
  });

  it('refuses a credential lifetime out of range', () => {
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_TTL: '10' })).toThrow(/CONCLAVE_TURN_TTL="10": must be at least 60 seconds/);
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_TTL: '1e9' })).toThrow(/at most 3600/);
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_TTL: '43200' })).toThrow(/CONCLAVE_TURN_TTL="43200": must be at most 3600 seconds/);
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_CREDENTIALS_PER_MINUTE: '0' })).toThrow(
      /CONCLAVE_TURN_CREDENTIALS_PER_MINUTE="0": must be at least 1/,
    );
    expect(() => loadConfig({ ...bin, CONCLAVE_TURN_TTL: 'soon' })).toThrow(/CONCLAVE_TURN_TTL="soon"/);
  });

  it('refuses relay-only ICE without TURN, and an unknown policy', () => {
    expect(() => loadConfig({ ...bin, CONCLAVE_ICE_TRANSPORT_POLICY: 'relay' })).toThrow(/"relay": needs a TURN server/);
    expect(() => loadConfig({ ...bin, CONCLAVE_ICE_TRANSPORT_POLICY: 'turn-only' })).toThrow(
      /CONCLAVE_ICE_TRANSPORT_POLICY="turn-only": must be all or relay/,
    );
  });

  it('reads TLS files, or the self-signed flag', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conclave-config-'));
    writeFileSync(path.join(dir, 'c.pem'), 'x');
    writeFileSync(path.join(dir, 'k.pem'), 'x');
    expect(loadConfig({ ...bin, CONCLAVE_TLS_CERT: path.join(dir, 'c.pem'), CONCLAVE_TLS_KEY: path.join(dir, 'k.pem') }).tls).toEqual({
      kind: 'files',
      certFile: path.join(dir, 'c.pem'),
      keyFile: path.join(dir, 'k.pem'),
    });
    expect(loadConfig({ ...bin, CONCLAVE_TLS_SELF_SIGNED: '1' }).tls).toEqual({ kind: 'self-signed' });
    expect(loadConfig({ ...bin, CONCLAVE_TLS_SELF_SIGNED: '0' }).tls).toBeNull();
    expect(() => loadConfig({ ...bin, CONCLAVE_TLS_SELF_SIGNED: 'maybe' })).toThrow(/CONCLAVE_TLS_SELF_SIGNED="maybe": must be 1 or 0/);
  });

  it('refuses half a TLS pair, unreadable files, and files together with self-signed', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conclave-config-'));
    const cert = path.join(dir, 'c.pem');
    writeFileSync(cert, 'x');
    expect(() => loadConfig({ ...bin, CONCLAVE_TLS_CERT: cert })).toThrow(/CONCLAVE_TLS_CERT is set without CONCLAVE_TLS_KEY/);
    expect(() => loadConfig({ ...bin, CONCLAVE_TLS_KEY: cert })).toThrow(/CONCLAVE_TLS_KEY is set without CONCLAVE_TLS_CERT/);
    expect(() => loadConfig({ ...bin, CONCLAVE_TLS_CERT: cert, CONCLAVE_TLS_KEY: path.join(dir, 'missing.pem') })).toThrow(
      /CONCLAVE_TLS_KEY=".*missing.pem": not a readable file/,
    );
    expect(() => loadConfig({ ...bin, CONCLAVE_TLS_CERT: cert, CONCLAVE_TLS_KEY: cert, CONCLAVE_TLS_SELF_SIGNED: '1' })).toThrow(
      /choose one/,
    );
  });

  it('lists every variable it reads', () => {
    expect(ENV_VARIABLES).toEqual(
      expect.arrayContaining(['PORT', 'CONCLAVE_TURN_URLS', 'CONCLAVE_TURN_SECRET', 'CONCLAVE_TLS_SELF_SIGNED']),
    );
  });
});

describe('loadConfig: audit log retention', () => {
  const bin = { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN };

  it('keeps audit entries a year by default; 0 keeps them forever', () => {
    expect(loadConfig(bin).auditRetentionDays).toBe(365);
    expect(loadConfig({ ...bin, CONCLAVE_AUDIT_RETENTION_DAYS: '30' }).auditRetentionDays).toBe(30);
    expect(loadConfig({ ...bin, CONCLAVE_AUDIT_RETENTION_DAYS: '0' }).auditRetentionDays).toBe(0);
  });

  it('refuses negative, fractional, absurd and non-numeric values, naming the variable', () => {
    expect(() => loadConfig({ ...bin, CONCLAVE_AUDIT_RETENTION_DAYS: '-1' })).toThrow(
      /CONCLAVE_AUDIT_RETENTION_DAYS="-1": must be 0 \(keep forever\) or more/,
    );
    expect(() => loadConfig({ ...bin, CONCLAVE_AUDIT_RETENTION_DAYS: '1.5' })).toThrow(
      /CONCLAVE_AUDIT_RETENTION_DAYS="1.5": must be a whole number/,
    );
    expect(() => loadConfig({ ...bin, CONCLAVE_AUDIT_RETENTION_DAYS: '99999' })).toThrow(/at most 36500/);
    expect(() => loadConfig({ ...bin, CONCLAVE_AUDIT_RETENTION_DAYS: 'a year' })).toThrow(
      /CONCLAVE_AUDIT_RETENTION_DAYS="a year": must be a number of days/,
    );
    expect(ENV_VARIABLES).toContain('CONCLAVE_AUDIT_RETENTION_DAYS');
  });
});

describe('loadConfig: proxies and connection caps', () => {
  const bin = { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN };

  it('trusts no proxy by default and caps 64 connections per address', () => {
    const c = loadConfig(bin);
    expect(c.trustProxyHops).toBe(0);
    expect(c.maxConnectionsPerAddress).toBe(64);
  });

  it('reads CONCLAVE_TRUST_PROXY as a hop count, keeping the old yes/no values', () => {
    const hops = (v: string) => loadConfig({ ...bin, CONCLAVE_TRUST_PROXY: v }).trustProxyHops;
    expect(hops('1')).toBe(1);
    expect(hops('true')).toBe(1);
    expect(hops('yes')).toBe(1);
    expect(hops('0')).toBe(0);
    expect(hops('false')).toBe(0);
    expect(hops('no')).toBe(0);
    expect(hops('2')).toBe(2);
    expect(hops('10')).toBe(10);
  });

  it('refuses a CONCLAVE_TRUST_PROXY that is not a hop count', () => {
    for (const v of ['11', '-1', 'maybe', '1.5', '10.0.0.1']) {
      expect(() => loadConfig({ ...bin, CONCLAVE_TRUST_PROXY: v }), v).toThrow(/CONCLAVE_TRUST_PROXY=.*number of proxy hops/);
    }
  });

  it('reads CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS, 0 meaning no cap', () => {
    expect(loadConfig({ ...bin, CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS: '200' }).maxConnectionsPerAddress).toBe(200);
    expect(loadConfig({ ...bin, CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS: '0' }).maxConnectionsPerAddress).toBe(0);
    expect(() => loadConfig({ ...bin, CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS: '-1' })).toThrow(/0 \(no cap\) or more/);
    expect(() => loadConfig({ ...bin, CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS: 'many' })).toThrow(/must be a number/);
  });
});

describe('loadConfig: database', () => {
  const bin = { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN };

  it('uses SQLite unless CONCLAVE_DATABASE_URL is set, with a pool of 10', () => {
    expect(loadConfig(bin).database).toEqual({ url: null, pool: 10 });
    expect(loadConfig({ ...bin, CONCLAVE_DATABASE_URL: '' }).database.url).toBeNull();
    expect(ENV_VARIABLES).toEqual(expect.arrayContaining(['CONCLAVE_DATABASE_URL', 'CONCLAVE_DATABASE_POOL']));
  });

  it('takes a postgres:// or postgresql:// URL, and a pool size from 1 to 100', () => {
    for (const url of [
      'postgres://conclave:pw@db.internal:5432/conclave',
      'postgresql://conclave@10.0.0.5/conclave?sslmode=require',
      'postgres://u:p@[fd00::5]:6432/c',
    ]) {
      expect(loadConfig({ ...bin, CONCLAVE_DATABASE_URL: url }).database.url, url).toBe(url);
    }
    expect(loadConfig({ ...bin, CONCLAVE_DATABASE_POOL: '1' }).database.pool).toBe(1);
    expect(loadConfig({ ...bin, CONCLAVE_DATABASE_POOL: '100' }).database.pool).toBe(100);
  });

  it('refuses anything else, naming the variable and never showing a password', () => {
    const problem = (value: string) => {
      try {
        loadConfig({ ...bin, CONCLAVE_DATABASE_URL: value });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems.join('\n');
      }
      throw new Error(`${value} was accepted`);
    };
    const mysql = problem('mysql://admin:hunter2-secret@db/conclave');
    expect(mysql).toMatch(/^CONCLAVE_DATABASE_URL="mysql:\/\/admin:\*\*\*@db\/conclave": must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(mysql).not.toContain('hunter2-secret');
    const unparsable = problem('postgres//admin:hunter2-secret@db');
    expect(unparsable).toMatch(/^CONCLAVE_DATABASE_URL=.*must be a postgres:\/\/ URL/);
    expect(unparsable).not.toContain('hunter2-secret');
    expect(problem('sqlite:///data/conclave.db')).toMatch(/unset it for SQLite/);
    expect(problem('postgres://')).toMatch(/names no host/);
  });

  it('refuses a pool size out of range, naming the variable', () => {
    expect(() => loadConfig({ ...bin, CONCLAVE_DATABASE_POOL: '0' })).toThrow(/CONCLAVE_DATABASE_POOL="0": must be at least 1/);
    expect(() => loadConfig({ ...bin, CONCLAVE_DATABASE_POOL: '101' })).toThrow(/at most 100/);
    expect(() => loadConfig({ ...bin, CONCLAVE_DATABASE_POOL: '2.5' })).toThrow(/whole number/);
    expect(() => loadConfig({ ...bin, CONCLAVE_DATABASE_POOL: 'lots' })).toThrow(/CONCLAVE_DATABASE_POOL="lots": must be a number/);
  });
});
