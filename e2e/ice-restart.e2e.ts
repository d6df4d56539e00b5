/**
 * ICE failure while signaling stays up: the media path (and only it) is cut
 * inside a network namespace the test makes; the pages restart ICE and get
 * media back without rejoining, showing "Reconnecting audio and video"
 * meanwhile; a longer cut makes them fall back to a full rejoin, after
 * which they decode each other again. See reconnection/ice-restart-run.ts.
 */
import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { createTestNetns } from './cross-browser/netns.js';
import type { Recovery } from './reconnection/call-probe.js';

interface RunResult {
  start: Record<string, Recovery>;
  after1: Record<string, Recovery>;
  after2: Record<string, Recovery>;
  marks: Record<string, string | undefined>;
  bannerText: string;
  bannerCause: string | null;
  banners1: Record<string, { shown: Array<{ at: number; cause: string | null }>; hidden: number[] }>;
  restartAfterCutMs: number;
  outage1Ms: number;
  back1: Record<string, number>;
  rejoinAfterCutMs: number;
  back2: Record<string, number>;
}

test('a cut media path recovers by ICE restart, and by rejoining when that is not enough', async () => {
  test.setTimeout(240_000);
  const netns = createTestNetns(`conclave-ice-${process.pid}`);
  try {
    const run = spawnSync('ip', ['netns', 'exec', netns.name, process.execPath, '--import', 'tsx', 'e2e/reconnection/ice-restart-run.ts'], {
      encoding: 'utf8',
      timeout: 220_000,
      env: { ...process.env, CONCLAVE_IN_TEST_NETNS: '1' },
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    for (const l of run.stdout.split('\n')) if (l.startsWith('[')) console.log(l); // the pages' warnings
    expect(run.status, `runner output:\n${run.stdout}\n${run.stderr}`).toBe(0);
    const r = JSON.parse(line!.slice('RESULT '.length)) as RunResult;
    for (const n of ['Ada', 'Grace']) {
      // 1. ICE restart: same member of the room, no rejoin, media back.
      expect(r.after1[n]!.iceRestarts, `${n} restarted ICE`).toBeGreaterThan(r.start[n]!.iceRestarts);
      expect(r.after1[n]!.rejoins, `${n} did not rejoin for a short cut`).toBe(r.start[n]!.rejoins);
      expect(r.after1[n]!.peerId, `${n} is the same member`).toBe(r.start[n]!.peerId);
      expect(r.after1[n]!.transports).toEqual({ send: 'connected', recv: 'connected' });
      expect(r.banners1[n]!.shown.map((s) => s.cause)).toEqual(['media']);
      // 2. Fallback: a rejoin, then decoding again (decodingAll checked "encrypted").
      expect(r.after2[n]!.rejoins, `${n} rejoined when the restart was not enough`).toBe(r.after1[n]!.rejoins + 1);
      expect(r.after2[n]!.peerId).not.toBe(r.after1[n]!.peerId);
      expect(r.marks[n], `${n}'s page was not reloaded`).toBe('same-page');
    }
    expect(r.bannerCause).toBe('media');
    expect(r.bannerText).toContain('Reconnecting audio and video');
    console.log(
      `ICE restart: restart began ${r.restartAfterCutMs} ms after the cut; media cut for ${r.outage1Ms} ms; decoding again ` +
        `${Object.entries(r.back1)
          .map(([n, ms]) => `${n} ${ms} ms`)
          .join(', ')} after the path came back. ` +
        `Long cut: rejoin began ${r.rejoinAfterCutMs} ms after the cut; decoding again ` +
        `${Object.entries(r.back2)
          .map(([n, ms]) => `${n} ${ms} ms`)
          .join(', ')} after the path came back.`,
    );
  } finally {
    netns.remove();
  }
});
