/**
 * axe-core on a page: no serious or critical violations (each listed with
 * where it is); anything less severe is printed, for a person to judge.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = results.violations.filter((v) => !serious.includes(v));
  if (minor.length) console.log(`[axe ${where}] minor: ${minor.map((v) => `${v.id} (${v.nodes.length})`).join(', ')}`);
  const describe = serious.map(
    (v) =>
      `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)} ${n.failureSummary ?? ''}`).join('\n  ')}`,
  );
  expect(describe, `${where}: serious or critical axe violations`).toEqual([]);
}
