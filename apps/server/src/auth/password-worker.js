// @ts-check
/**
 * Runs on a worker thread: argon2id hashing and verification with libsodium's
 * crypto_pwhash_str (the sumo build: the standard one has no pwhash). It is
 * CPU- and memory-heavy by design, so it stays off the event loop that
 * serves signaling. Plain JavaScript so that it runs as is from src/ (tests)
 * and dist/ (tsc copies it).
 */
import { parentPort } from 'node:worker_threads';
import sodium from 'libsodium-wrappers-sumo';

await sodium.ready;

/** @param {{ id: number, op: 'hash' | 'verify', password: string, hash?: string, opsLimit: number, memLimit: number }} msg */
function handle(msg) {
  if (msg.op === 'hash') {
    return sodium.crypto_pwhash_str(msg.password, msg.opsLimit, msg.memLimit);
  }
  try {
    return sodium.crypto_pwhash_str_verify(msg.hash ?? '', msg.password);
  } catch {
    return false; // a malformed stored hash never verifies
  }
}

parentPort?.on('message', (msg) => {
  try {
    parentPort?.postMessage({ id: msg.id, ok: true, result: handle(msg) });
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, ok: false, error: String(err) });
  }
});
