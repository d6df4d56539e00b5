/**
 * CPace (ristretto255 + SHA-512) cost in Node: one full run, initiator start,
 * responder respond and initiator finish, through the public API in
 * dist/group/index.js. Prints the median and spread of REPEAT runs after a
 * warm-up, and the first run of the process; asserts nothing but that both sides agree.
 * Run after `tsc -b`: node bench/cpace.bench.mjs
 */
import { cpaceRespond, cpaceStart } from '../dist/group/index.js';

const REPEAT = Number(process.env.CPACE_BENCH_REPEAT ?? 200);
const WARMUP = 20;
const enc = (s) => new TextEncoder().encode(s);
const params = { prs: enc('correct horse battery staple'), ci: enc('bench-room'), sid: crypto.getRandomValues(new Uint8Array(16)) };
const adA = enc('initiator');
const adB = enc('responder');

function once() {
  const a = cpaceStart(params, adA);
  const b = cpaceRespond(params, adA, a.message, adB);
  const isk = a.finish(b.message, adB);
  if (!isk.every((x, i) => x === b.isk[i])) throw new Error('ISK mismatch');
}

const times = { start: [], respond: [], finish: [], total: [] };
const cold0 = performance.now();
once();
const cold = performance.now() - cold0;
for (let i = 1; i < WARMUP; i++) once();
for (let i = 0; i < REPEAT; i++) {
  const t0 = performance.now();
  const a = cpaceStart(params, adA);
  const t1 = performance.now();
  const b = cpaceRespond(params, adA, a.message, adB);
  const t2 = performance.now();
  a.finish(b.message, adB);
  const t3 = performance.now();
  times.start.push(t1 - t0);
  times.respond.push(t2 - t1);
  times.finish.push(t3 - t2);
  times.total.push(t3 - t0);
}

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
};
console.log(`CPace ristretto255/SHA-512, Node ${process.version}, ${REPEAT} runs after ${WARMUP} warm-up`);
console.log(`first run in the process (cold): ${cold.toFixed(2)} ms`);
for (const [name, xs] of Object.entries(times)) {
  console.log(
    `${name.padEnd(8)} median ${pct(xs, 0.5).toFixed(2)} ms  p10 ${pct(xs, 0.1).toFixed(2)} ms  p90 ${pct(xs, 0.9).toFixed(2)} ms`,
  );
}
