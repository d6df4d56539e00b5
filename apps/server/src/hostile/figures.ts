/**
 * The hostile-client suite's figures: every test that plays an attacker
 * records what it measured here (one JSON line each), and `npm test` prints
 * them all at its end (scripts/hostile-figures.mjs), one line per figure.
 * Browser tests write to the same file.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Figure {
  /** What was measured, in words, e.g. "process exits over 2,000 malformed HTTP requests". */
  name: string;
  value: number;
  /** e.g. "exits", "guesses", "s", "bytes", "×". */
  unit: string;
  /** The target, in words, e.g. "0" or "≤ 5". */
  target?: string;
  /** Anything needed to reproduce it (a seed) or to read it. */
  detail?: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export const FIGURES_FILE = process.env.CONCLAVE_FIGURES_FILE ?? path.join(root, 'test-results', 'hostile-figures.jsonl');

export function recordFigure(figure: Figure): void {
  mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
  appendFileSync(FIGURES_FILE, `${JSON.stringify({ ...figure, at: new Date().toISOString() })}\n`);
}
