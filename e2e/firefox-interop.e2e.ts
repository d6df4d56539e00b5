/**
 * Cross-browser E2EE: one participant in Firefox ESR and two in Chromium
 * decode each other's encrypted video and audio. It runs in a network
 * namespace of its own (see cross-browser/netns.ts), because Firefox will not
 * use loopback ICE candidates.
 */
import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { createTestNetns } from './cross-browser/netns.js';

test('Firefox ESR and two Chromiums decode each other end to end', async () => {
  test.setTimeout(240_000);
  const netns = createTestNetns(`conclave-xb-${process.pid}`);
  try {
    const run = spawnSync(
      'ip',
      ['netns', 'exec', netns.name, process.execPath, '--import', 'tsx', 'e2e/cross-browser/cross-browser-call.ts'],
      {
        encoding: 'utf8',
        timeout: 220_000,
        env: process.env,
      },
    );
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(run.status, `runner output:\n${run.stdout}\n${run.stderr}`).toBe(0);
    const result = JSON.parse(line!.slice('RESULT '.length)) as Record<
      string,
      Record<string, { framesDecoded: number; audioPacketsReceived: number; e2ee: string }>
    >;
    for (const viewer of ['Fox', 'Ada', 'Grace']) {
      for (const other of ['Fox', 'Ada', 'Grace'].filter((n) => n !== viewer)) {
        const seen = result[viewer]![other]!;
        expect(seen.framesDecoded, `${viewer} decodes ${other}`).toBeGreaterThan(15);
        expect(seen.audioPacketsReceived, `${viewer} hears ${other}`).toBeGreaterThan(10);
        expect(seen.e2ee, `${viewer} sees ${other} as encrypted`).toBe('encrypted');
      }
    }
  } finally {
    netns.remove();
  }
});
