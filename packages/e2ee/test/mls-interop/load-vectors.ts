/**
 * Loads the MLS working group's interop test vectors (copied unchanged from
 * mlswg/mls-implementations into test/vectors/mls/, see NOTICE) and gives the
 * interop tests their cipher suites as ts-mls implementations. Test support
 * only; not part of the build.
 */
import { readFileSync } from 'node:fs';
import {
  ciphersuites,
  getCiphersuiteFromId,
  getCiphersuiteNameFromId,
  type CiphersuiteId,
  type CiphersuiteImpl,
  type CiphersuiteName,
} from 'ts-mls/crypto/ciphersuite.js';
import { getCiphersuiteImpl } from 'ts-mls/crypto/getCiphersuiteImpl.js';

/** The 16 files of mlswg/mls-implementations test-vectors/, by name without `.json`. */
export type VectorFileName =
  | 'crypto-basics'
  | 'deserialization'
  | 'key-schedule'
  | 'message-protection'
  | 'messages'
  | 'passive-client-handling-commit'
  | 'passive-client-random'
  | 'passive-client-welcome'
  | 'psk_secret'
  | 'secret-tree'
  | 'transcript-hashes'
  | 'tree-math'
  | 'tree-operations'
  | 'tree-validation'
  | 'treekem'
  | 'welcome';

/**
 * Reads test/vectors/mls/<name>.json. Each file is a JSON array of test cases;
 * the caller names the case shape, and a missing field fails the case when
 * `hex` or an assertion meets it.
 */
export function loadMlsVectors<T>(name: VectorFileName): T[] {
  const url = new URL(`../vectors/mls/${name}.json`, import.meta.url);
  const parsed: unknown = JSON.parse(readFileSync(url, 'utf8'));
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error(`${name}.json: expected a non-empty array`);
  return parsed as T[];
}

/** Strict hex decoding: a null, missing or malformed value throws rather than decoding to nothing. */
export function hex(s: string | null | undefined): Uint8Array {
  if (typeof s !== 'string' || s.length % 2 !== 0 || /[^0-9a-f]/i.test(s)) {
    throw new Error(`bad hex: ${String(s)}`);
  }
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export type SuiteSupport = { supported: true; id: CiphersuiteId; name: CiphersuiteName } | { supported: false; reason: string };

const knownSuiteIds = new Set<number>(Object.values(ciphersuites));

/**
 * Whether ts-mls has the cipher suite at all. A suite it lists must then load
 * (getCiphersuiteImpl), or the case fails: a missing optional peer package is
 * a failure, not a skip.
 */
export function suiteSupport(id: number): SuiteSupport {
  if (!knownSuiteIds.has(id)) return { supported: false, reason: `ts-mls 1.6.4 has no cipher suite ${id}` };
  const suite = id as CiphersuiteId;
  return { supported: true, id: suite, name: getCiphersuiteNameFromId(suite) };
}

const impls = new Map<CiphersuiteId, Promise<CiphersuiteImpl>>();

export function suiteImpl(id: CiphersuiteId): Promise<CiphersuiteImpl> {
  let impl = impls.get(id);
  if (impl === undefined) {
    impl = getCiphersuiteImpl(getCiphersuiteFromId(id));
    impls.set(id, impl);
  }
  return impl;
}
