/**
 * argon2id password hashes (libsodium crypto_pwhash_str, self-describing
 * `$argon2id$…` strings) computed on a worker thread. One thread: hashes are
 * deliberately expensive, and login rate limits keep the queue short.
 */
import { Worker } from 'node:worker_threads';

/** libsodium's INTERACTIVE limits: 2 passes over 64 MiB. */
export const PWHASH_OPSLIMIT = 2;
export const PWHASH_MEMLIMIT = 64 * 1024 * 1024;

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export class PasswordHasher {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** A real hash of nothing, verified against when a user does not exist, so timing does not tell. */
  private decoy: Promise<string> | null = null;

  constructor(
    private readonly opsLimit = PWHASH_OPSLIMIT,
    private readonly memLimit = PWHASH_MEMLIMIT,
  ) {
    this.worker = new Worker(new URL('./password-worker.js', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new Error(reply.error ?? 'password hashing failed'));
    });
    this.worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  private call(msg: { op: 'hash' | 'verify'; password: string; hash?: string }): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...msg, opsLimit: this.opsLimit, memLimit: this.memLimit });
    });
  }

  async hash(password: string): Promise<string> {
    return (await this.call({ op: 'hash', password })) as string;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    return (await this.call({ op: 'verify', password, hash })) === true;
  }

  /** Spends the same time as a real verification, for unknown users. Always false. */
  async verifyNobody(password: string): Promise<false> {
    this.decoy ??= this.hash('conclave-decoy');
    await this.verify(await this.decoy, password);
    return false;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
