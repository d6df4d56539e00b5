import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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

  it('refuses a worker binary that is not executable, and a missing one', () => {
    expect(() => loadConfig({ MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker' })).toThrow(/MEDIASOUP_WORKER_BIN/);
    // Installed offline, mediasoup has no binary of its own: the server says how to get one.
    expect(() => loadConfig({})).toThrow(/MEDIASOUP_WORKER_BIN is not set/);
  });

  it('splits allowed origins', () => {
    expect(loadConfig({ CONCLAVE_ALLOWED_ORIGINS: 'https://a.example, https://b.example', MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN }).allowedOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});
