/**
 * Turns one MLS test-vector file into vitest cases: one test per vector, named
 * by file, index and cipher suite; a suite ts-mls does not have becomes an
 * `it.skip` that says so; a case ts-mls is known to fail becomes an `it.fails`
 * that says what goes wrong. Each file's counts are in its describe title and
 * printed once when the file is done. Test support only; not part of the build.
 */
import type { CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMlsVectors, suiteImpl, suiteSupport, type VectorFileName } from './load-vectors.js';

export interface VectorSuiteOptions<T> {
  /** Extra words for a case's name, such as its tree size. */
  detail?: (vector: T, index: number) => string;
  /** Per-case timeout in milliseconds (the package default is 30 s). */
  timeout?: number;
  /**
   * Cases ts-mls genuinely fails, by index, each with what the library does
   * wrong. They run as `it.fails`, so a fix in ts-mls turns them red.
   */
  knownFailures?: ReadonlyMap<number, string>;
}

/** `impl` is the case's cipher suite as ts-mls implements it, or undefined for a file without suites. */
export type VectorCheck<T> = (vector: T, impl: CiphersuiteImpl | undefined) => Promise<void> | void;

function cipherSuiteOf(vector: object): number | undefined {
  if (!('cipher_suite' in vector)) return undefined;
  const id = vector.cipher_suite;
  if (typeof id !== 'number') throw new Error(`cipher_suite is not a number: ${String(id)}`);
  return id;
}

export function describeVectors<T extends object>(file: VectorFileName, check: VectorCheck<T>, options: VectorSuiteOptions<T> = {}): void {
  const vectors = loadMlsVectors<T>(file);
  const cases = vectors.map((vector, index) => {
    const id = cipherSuiteOf(vector);
    const suite = id === undefined ? undefined : suiteSupport(id);
    let name = `${file}.json #${index}`;
    if (suite !== undefined) name += suite.supported ? ` suite ${suite.id} ${suite.name}` : ` suite ${id}`;
    const detail = options.detail?.(vector, index);
    if (detail) name += ` (${detail})`;
    return { vector, index, suite, name, knownFailure: options.knownFailures?.get(index) };
  });

  const skipped = cases.filter((c) => c.suite?.supported === false).length;
  const known = cases.filter((c) => c.suite?.supported !== false && c.knownFailure !== undefined).length;
  const expected = cases.length - skipped - known;
  let passed = 0;

  const title = `${file}.json: ${cases.length} cases, ${expected} expected to pass, ${known} known ts-mls failures, ${skipped} skipped`;
  describe(title, () => {
    afterAll(() => {
      console.log(
        `MLS vectors ${file}.json: ${passed} of ${expected} passed, ${known} known ts-mls failures, ` +
          `${skipped} skipped (cipher suite not in ts-mls), ${cases.length} in the file`,
      );
    });

    for (const c of cases) {
      if (c.suite?.supported === false) {
        it.skip(`${c.name}: skipped, ${c.suite.reason}`, () => {});
        continue;
      }
      const suiteId = c.suite?.id;
      const run = async (): Promise<void> => {
        expect.hasAssertions();
        const impl = suiteId === undefined ? undefined : await suiteImpl(suiteId);
        await check(c.vector, impl);
      };
      if (c.knownFailure !== undefined) {
        it.fails(`${c.name}: known ts-mls failure, ${c.knownFailure}`, run, options.timeout);
      } else {
        it(
          c.name,
          async () => {
            await run();
            passed++;
          },
          options.timeout,
        );
      }
    }
  });
}

/** The case's cipher suite implementation; for checks whose file always has `cipher_suite`. */
export function requireImpl(impl: CiphersuiteImpl | undefined): CiphersuiteImpl {
  if (impl === undefined) throw new Error('this vector file has a cipher_suite in every case');
  return impl;
}
