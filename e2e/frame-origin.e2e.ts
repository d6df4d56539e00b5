/**
 * Frame origin: every member holds every member's SFrame key (RFC 9605 §9),
 * so only the sender's own signature shows a frame is theirs. Three people
 * with the same meeting key see each other's media as verified; then one of
 * them (Mallory, a member) sends her camera under Grace's KID and key, which
 * Ada's SFU "helps" pass off as Grace's (Ada decrypts it as Grace's stream).
 * It decrypts, but nothing Grace signed covers it: Ada's tile for Grace must
 * stop showing Grace's camera and say why, while everything else carries on.
 */
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

const peerIdOf = async (p: Participant) => ((await p.page.evaluate(() => window.conclave?.recovery())) as { peerId: string }).peerId;

test('frames are shown as signed by their sender; a member sending under another’s key, relayed as theirs, is refused', async ({
  browser,
}) => {
  const room = (await newMeeting()).replace(/#k=.*/, `#k=${randomBytes(32).toString('base64url')}`);
  const ada = await Participant.join(browser, 'Ada', room, { testHooks: true });
  const grace = await Participant.join(browser, 'Grace', room, { testHooks: true });
  const graceId = await peerIdOf(grace);
  // Ada's SFU will pass Mallory's camera off as Grace's: Ada decrypts and checks it as Grace's.
  await ada.page.evaluate((victim) => window.conclave!.relabel!('Mallory', victim, 'camera'), graceId);
  const mallory = await Participant.join(browser, 'Mallory', room, { testHooks: true });
  for (const [me, other] of [
    [ada, grace],
    [grace, ada],
    [grace, mallory],
    [mallory, ada],
    [mallory, grace],
  ] as const) {
    await me.expectReceiving(other.name, { audio: false });
    await expect(me.tile(other.name)).toHaveAttribute('data-origin', 'verified', { timeout: 15_000 });
  }
  await grace.page.screenshot({ path: 'test-results/screenshots/frame-origin-verified.png' });

  // Mallory, a member, forges: from the next epoch on her frames carry Grace's KID, under Grace's key.
  await mallory.page.evaluate((id) => window.conclave!.impersonate!(id), graceId);
  const graceLeaf = (await grace.page.evaluate(() => window.conclave?.sendKey?.()?.leaf)) as number;
  await grace.page.evaluate(() => window.conclave!.rekey!());
  // Mallory's frames go out under Grace's leaf once she has the new epoch.
  await expect
    .poll(() => mallory.page.evaluate(() => window.conclave?.sendKey?.()?.leaf), {
      message: 'Mallory sends under Grace’s key',
      timeout: 15_000,
    })
    .toBe(graceLeaf);

  const graceTile = ada.tile('Grace');
  await expect(graceTile).toHaveAttribute('data-origin', 'failed', { timeout: 15_000 });
  await expect(graceTile.getByTestId('origin-failed')).toContainText('Stopped');
  await expect(graceTile).toHaveAttribute('data-e2ee', 'encrypted'); // the frames decrypt: only the signature tells them apart
  await ada.page.screenshot({ path: 'test-results/screenshots/frame-origin-forged.png' });

  // Everyone else carries on: Grace still sees Ada, verified.
  await expect(grace.tile('Ada')).toHaveAttribute('data-origin', 'verified');
  await grace.expectReceiving('Ada', { audio: false });
  for (const p of [ada, grace, mallory]) await p.close();
});
