import { describe, expect, it } from 'vitest';
import { envFromArgs, parseCommandLine, UsageError } from './cli.js';
import { loadConfig } from './config.js';

describe('envFromArgs', () => {
  it('turns --self-signed into CONCLAVE_TLS_SELF_SIGNED=1, which the configuration reads', () => {
    const env = envFromArgs(['--self-signed']);
    expect(env).toEqual({ CONCLAVE_TLS_SELF_SIGNED: '1' });
    expect(loadConfig({ MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN, ...env }).tls).toEqual({ kind: 'self-signed' });
  });

  it('has nothing to say without options', () => {
    expect(envFromArgs([])).toEqual({});
  });

  it('refuses an unknown option, naming the known ones', () => {
    expect(() => envFromArgs(['--selfsigned'])).toThrow(UsageError);
    expect(() => envFromArgs(['--selfsigned'])).toThrow(/unknown option "--selfsigned"; options: --self-signed/);
  });
});

describe('parseCommandLine', () => {
  it('runs the server with the options given, or a command with its arguments', () => {
    expect(parseCommandLine([])).toEqual({ command: null, env: {} });
    expect(parseCommandLine(['--self-signed'])).toEqual({ command: null, env: { CONCLAVE_TLS_SELF_SIGNED: '1' } });
    expect(parseCommandLine(['migrate-sqlite-to-postgres', '--from', 'data/conclave.db'])).toEqual({
      command: 'migrate-sqlite-to-postgres',
      args: ['--from', 'data/conclave.db'],
    });
  });

  it('names the commands when it meets something unknown', () => {
    expect(() => parseCommandLine(['migrate'])).toThrow(/commands: migrate-sqlite-to-postgres --from <path\/to\/conclave.db>/);
    expect(() => parseCommandLine(['--from', 'x'])).toThrow(UsageError);
  });
});
