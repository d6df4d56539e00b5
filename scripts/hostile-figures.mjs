// Prints the hostile-client suite's figures (written by the tests that play
// an attacker, see apps/server/src/hostile/figures.ts), one line per figure,
// newest measurement of each name. Exits non-zero only if the file is missing.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/hostile-figures.jsonl';
if (!existsSync(file)) {
  console.log(`hostile-client figures: none recorded (${file} is missing)`);
  process.exit(1);
}
const latest = new Map();
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  try {
    const f = JSON.parse(line);
    latest.set(f.name, f);
  } catch {
    /* a torn line from a killed run */
  }
}
const fmt = (v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 }));
console.log(`hostile-client figures (${latest.size}):`);
for (const f of latest.values()) {
  const target = f.target !== undefined ? ` (target ${f.target})` : '';
  const detail = f.detail ? `; ${f.detail}` : '';
  console.log(`  figure  ${f.name}: ${fmt(f.value)} ${f.unit}${target}${detail}`);
}
