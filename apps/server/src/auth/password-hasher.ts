/**
 * argon2id password hashes (libsodium crypto_pwhash_str, self-describing
 * `$argon2id$…` strings) computed on a worker thread. One thread: hashes are
 * deliberately expensive. The queue is bounded: past `maxPending` jobs a
 * caller gets HasherUnavailable at once (the API answers 503 with
 * Retry-After) instead of piling up behind a flood; a few more places are
 * kept for sign-ins from known devices. A thread that dies is
 * replaced: its pending jobs fail with HasherUnavailable and the next job
 * runs on a fresh thread.
 */
import { Worker } from 'node:worker_threads';

/** libsodium's INTERACTIVE limits: 2 passes over 64 MiB. */
export const PWHASH_OPSLIMIT = 2;
export const PWHASH_MEMLIMIT = 64 * 1024 * 1024;
/** Jobs queued or running at most; one takes about 0.1 s, so the last waits under 2 s. */
export const HASHER_MAX_PENDING = 16;
/**
 * Places beyond `maxPending` that only priority jobs may take: a sign-in from
 * a known device still gets checked while strangers keep the queue full.
 */
export const HASHER_PRIORITY_PLACES = 4;
/** What a refused caller is told to wait. */
export const HASHER_RETRY_AFTER_MS = 2000;

/** The hasher cannot take this job now: its queue is full, or its thread died under it. Try again shortly. */
export class HasherUnavailable extends Error {
  readonly retryAfterMs = HASHER_RETRY_AFTER_MS;
  constructor(readonly reason: 'queue_full' | 'thread_died') {
    super(reason === 'queue_full' ? 'the password hasher is busy' : 'the password hasher thread stopped');
  }
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface PasswordHasherOptions {
  opsLimit?: number;
  memLimit?: number;
  maxPending?: number;
}

export class PasswordHasher {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** A real hash of nothing, verified against when a user does not exist, so timing does not tell. */
  private decoy: Promise<string> | null = null;
  private closing = false;
  /** Callers of verifyNobody waiting for the decoy hash: they hold queue places too. */
  private waitingForDecoy = 0;
  private readonly opsLimit: number;
  private readonly memLimit: number;
  readonly maxPending: number;
  /** How many times a dead thread was replaced. */
  restarts = 0;

  constructor(o: PasswordHasherOptions = {}) {
    this.opsLimit = o.opsLimit ?? PWHASH_OPSLIMIT;
    this.memLimit = o.memLimit ?? PWHASH_MEMLIMIT;
    this.maxPending = o.maxPending ?? HASHER_MAX_PENDING;
    this.worker = this.startWorker();
  }

  /** Jobs queued or running now. */
  get queued(): number {
    return this.pending.size + this.waitingForDecoy;
  }

  private startWorker(): Worker {
    const worker = new Worker(new URL('./password-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new Error(reply.error ?? 'password hashing failed'));
    });
    worker.on('error', () => this.replace(worker));
    worker.on('exit', () => this.replace(worker));
    return worker;
  }

  /** `dead` stopped: fail what it held and start another (once, however many events say so). */
  private replace(dead: Worker): void {
    if (this.closing || dead !== this.worker) return;
    for (const p of this.pending.values()) p.reject(new HasherUnavailable('thread_died'));
    this.pending.clear();
    this.restarts += 1;
    void dead.terminate().catch(() => undefined);
    this.worker = this.startWorker();
  }

  private call(msg: { op: 'hash' | 'verify'; password: string; hash?: string }, priority = false): Promise<unknown> {
    if (this.closing) return Promise.reject(new HasherUnavailable('thread_died'));
    if (this.queued >= this.maxPending + (priority ? HASHER_PRIORITY_PLACES : 0))
      return Promise.reject(new HasherUnavailable('queue_full'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...msg, opsLimit: this.opsLimit, memLimit: this.memLimit });
    });
  }

  async hash(password: string): Promise<string> {
    return (await this.call({ op: 'hash', password })) as string;
  }

  /** `priority`: may use the places kept for sign-ins from known devices. */
  async verify(hash: string, password: string, priority = false): Promise<boolean> {
    return (await this.call({ op: 'verify', password, hash }, priority)) === true;
  }

  /** Spends the same time as a real verification, for unknown users. Always false. */
  async verifyNobody(password: string): Promise<false> {
    if (this.closing) throw new HasherUnavailable('thread_died');
    if (this.queued >= this.maxPending) throw new HasherUnavailable('queue_full');
    const decoy = (this.decoy ??= this.hash('conclave-decoy'));
    let hash: string;
    this.waitingForDecoy += 1;
    try {
      hash = await decoy;
    } catch (err) {
      if (this.decoy === decoy) this.decoy = null; // try again next time
      throw err;
    } finally {
      this.waitingForDecoy -= 1;
    }
    await this.verify(hash, password);
    return false;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
