/**
 * Keeps the page/Worker boundary in media/ honest by reading every module's
 * import lines: page/ (and the page entry index.ts) never imports worker/,
 * worker/ never imports page/, and worker-messages.ts, the boundary both
 * sides share, imports nothing but the wire protocol's shared unions. A new module directly in media/ must be
 * placed on a side (or added here as shared) before this passes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const THIS_FILE = fileURLToPath(import.meta.url);
const MEDIA_DIR = path.dirname(THIS_FILE);

/** Modules directly in media/ (besides this test): the page's entry and the shared message types. */
const TOP_LEVEL = { 'index.ts': 'page', 'worker-messages.ts': 'boundary' } as const;

type Side = 'page' | 'worker' | 'boundary';

/** Every module specifier in a TypeScript source: static imports and re-exports, side-effect and dynamic imports, `new URL(…)`. */
export function importSpecifiers(source: string): string[] {
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
    /\bnew\s+URL\s*\(\s*['"]([^'"]+)['"]/g,
  ];
  return patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]!));
}

/** Which side a path inside media/ belongs to, or null when it is outside media/. */
function sideOf(file: string): Side | null {
  const rel = path.relative(MEDIA_DIR, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const [first, ...rest] = rel.split(path.sep);
  if (rest.length > 0) {
    if (first === 'page' || first === 'worker') return first;
    throw new Error(`media/${rel}: a module in a folder that is neither page/ nor worker/`);
  }
  const side = TOP_LEVEL[first as keyof typeof TOP_LEVEL];
  if (!side) throw new Error(`media/${rel}: put it in page/ or worker/ (only index.ts and worker-messages.ts sit in media/)`);
  return side;
}

/** What a module on `from` may import inside media/. */
function allowed(from: Side, to: Side): boolean {
  if (from === 'boundary') return to === 'boundary';
  return to === from || to === 'boundary';
}

/** The imports that cross the boundary, as "importer -> specifier" lines. */
export function crossings(files: ReadonlyArray<{ file: string; source: string }>): string[] {
  const out: string[] = [];
  for (const { file, source } of files) {
    const from = sideOf(file)!;
    for (const spec of importSpecifiers(source)) {
      const rel = path.relative(MEDIA_DIR, file);
      // The boundary imports nothing but the protocol's shared unions (MediaKind, E2eeStatus), which are types only.
      if (from === 'boundary') {
        if (spec !== '@conclave/protocol') out.push(`${rel} -> ${spec}`);
        continue;
      }
      if (!spec.startsWith('.')) continue; // packages (vitest, node:…) are no side's
      const target = path.resolve(path.dirname(file), spec);
      const to = sideOf(target.replace(/\.js$/, '.ts'));
      if (to && !allowed(from, to)) out.push(`${rel} -> ${spec}`);
    }
  }
  return out;
}

function modulesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => f !== THIS_FILE); // its own sources hold crossings on purpose, as test data
}

describe('media/ page–Worker boundary', () => {
  it('has both sides', () => {
    const files = modulesUnder(MEDIA_DIR).map((f) => path.relative(MEDIA_DIR, f));
    expect(files).toEqual(expect.arrayContaining(['worker/media-worker.ts', 'page/media-encryption.ts', 'worker-messages.ts']));
  });

  it('no module imports across it (tests included)', () => {
    const files = modulesUnder(MEDIA_DIR).map((file) => ({ file, source: readFileSync(file, 'utf8') }));
    expect(crossings(files)).toEqual([]);
  });

  it('catches a crossing in either direction, and any import in the boundary', () => {
    const at = (rel: string) => path.join(MEDIA_DIR, rel);
    expect(
      crossings([
        { file: at('page/x.ts'), source: "import type { EncodedFrame } from '../worker/frame-transformer.js';" },
        { file: at('worker/y.ts'), source: "export {\n  MediaEncryption,\n} from '../page/media-encryption.js';" },
        { file: at('index.ts'), source: "const w = await import('./worker/media-worker.js');" },
        {
          file: at('worker-messages.ts'),
          source: "import type { Effects } from '../keys/key-manager.js';\nimport type { MediaKind } from '@conclave/protocol';",
        },
        {
          file: at('page/ok.ts'),
          source: "import { a } from '../worker-messages.js';\nimport { b } from '../../frame-crypto.js';\nimport './z.js';",
        },
        { file: at('worker/ok.ts'), source: "import { a } from '../worker-messages.js';\nimport { c } from './frame-transformer.js';" },
      ]),
    ).toEqual([
      'page/x.ts -> ../worker/frame-transformer.js',
      'worker/y.ts -> ../page/media-encryption.js',
      'index.ts -> ./worker/media-worker.js',
      'worker-messages.ts -> ../keys/key-manager.js',
    ]);
  });

  it('refuses a module placed on no side', () => {
    expect(() => crossings([{ file: path.join(MEDIA_DIR, 'stray.ts'), source: '' }])).toThrow(/page\/ or worker\//);
  });
});
