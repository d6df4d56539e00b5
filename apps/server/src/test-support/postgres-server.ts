/**
 * A throwaway PostgreSQL server for a test, from Debian's binaries
 * (/usr/lib/postgresql/<version>/bin): a fresh cluster in a temp directory,
 * listening on 127.0.0.1 on a free port (and a Unix socket in that
 * directory), with durability off (fsync, synchronous_commit) for speed.
 * initdb refuses to run as root, so as root the cluster is made and run by
 * the `postgres` user in a directory it owns. `stop` stops the server by its
 * pid and removes the directory.
 *
 * Tests skip (saying why) only when the binaries are absent; any other
 * failure to start is a failure.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const PG_ROOT = '/usr/lib/postgresql';

/** The newest installed PostgreSQL's bin directory (with initdb, pg_ctl, postgres), or null. */
export function findPostgresBin(): string | null {
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(PG_ROOT, v, 'bin');
    if (['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(path.join(bin, b)))) return bin;
  }
  return null;
}

/** Why PostgreSQL tests are skipped here, or null when they run. */
export const postgresSkipReason: string | null = findPostgresBin()
  ? null
  : `no PostgreSQL binaries (initdb, pg_ctl, postgres) under ${PG_ROOT}/<version>/bin: install Debian's postgresql package`;

export interface PostgresServer {
  port: number;
  /** The cluster's directory (data in data/, the Unix socket beside it). */
  dir: string;
  /** A URL for database `db` (as the superuser `postgres`, trusted on loopback). */
  url(db: string): string;
  /** Makes a fresh, empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (by pid, fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  await new Promise((r) => server.close(r));
  return port;
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL tool as the user that owns the cluster (`postgres` when we are root). */
function asOwner(bin: string, tool: string, args: string[]): string {
  const file = isRoot() ? 'runuser' : path.join(bin, tool);
  const argv = isRoot() ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args;
  try {
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${tool} failed: ${e.stderr || e.stdout || e.message}`, { cause: err });
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let seq = 0;

/** Starts a PostgreSQL server; throws if there are no binaries (check `postgresSkipReason` first) or it does not start. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(postgresSkipReason ?? 'no PostgreSQL');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conclave-pg-'));
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  let pid = 0;
  try {
    asOwner(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    const port = await freePort();
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    asOwner(bin, 'pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', options]);
    pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
    const server: PostgresServer = {
      port,
      dir,
      url,
      async createDatabase(name = `conclave_test_${process.pid}_${++seq}`) {
        const client = new pg.Client({ connectionString: url('postgres') });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE "${name.replaceAll('"', '')}"`);
        } finally {
          await client.end();
        }
        return url(name);
      },
      async stop() {
        if (pid && alive(pid)) {
          process.kill(pid, 'SIGINT'); // fast shutdown: ends sessions, no waiting for clients
          const deadline = Date.now() + 10_000;
          while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
          if (alive(pid)) process.kill(pid, 'SIGKILL');
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return server;
  } catch (err) {
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    let log = '';
    try {
      log = readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-2000);
    } catch {
      // no log yet
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(err as Error).message}${log ? `\n${log}` : ''}`, { cause: err });
  }
}
