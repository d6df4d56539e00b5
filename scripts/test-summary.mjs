// Adds up the JSON reports of every suite into one closing line:
//   tests: N passed, N failed, N skipped
// and exits non-zero when a suite is missing or anything failed.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'test-results';
let passed = 0;
let failed = 0;
let skipped = 0;
let flaky = 0;
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
for (const file of files) {
  const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  if (file.startsWith('vitest-')) {
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.numRuntimeErrors ?? 0);
    skipped += report.numPendingTests + report.numTodoTests;
    // A file whose set-up failed (a beforeAll hook threw) reports its tests as skipped: they are failures.
    for (const suite of report.testResults ?? []) {
      if (suite.status !== 'failed' || suite.assertionResults.some((a) => a.status === 'failed')) continue;
      const notRun = suite.assertionResults.filter((a) => a.status === 'skipped' || a.status === 'pending').length;
      failed += Math.max(1, notRun);
      skipped -= notRun;
      console.log(`failed to run: ${path.relative(process.cwd(), suite.name)}: ${(suite.message ?? '').split('\n')[0]}`);
    }
  } else {
    // Playwright's JSON reporter
    passed += report.stats.expected + report.stats.flaky;
    flaky += report.stats.flaky;
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
  }
}
console.log(`suites: ${files.length} reports (${files.join(', ')})`);
if (flaky > 0) console.log(`note: ${flaky} browser test(s) passed only on their retry (flaky): see test-results/e2e.json`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
