/** Tests for labels.ts: distinct versioned labels, each used in one place only. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as labels from './labels.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('labels', () => {
  const entries = Object.entries(labels) as [string, string][];

  it('are distinct, versioned strings', () => {
    const values = entries.map(([, v]) => v);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^conclave\/v1\/[a-z-]+$/);
  });

  it('each KDF label is used exactly once, each context string in one module only, never as a literal', () => {
    const sources = readdirSync(here)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'labels.ts')
      .map((f) =>
        readFileSync(join(here, f), 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, ''),
      );
    for (const [name, value] of entries) {
      const perFile = sources.map((src) => src.match(new RegExp(`\\b${name}\\b`, 'g'))?.length ?? 0).filter((n) => n > 0);
      expect({ name, files: perFile.length }).toEqual({ name, files: 1 });
      // LABEL_*: one import + one use. CONTEXT_*: one import + its encoder and checker in that module.
      if (name.startsWith('LABEL_')) expect({ name, uses: perFile[0] }).toEqual({ name, uses: 2 });
      for (const src of sources) expect(src.includes(`"${value}"`)).toBe(false);
    }
  });
});
