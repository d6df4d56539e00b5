/**
 * Raised hands and reactions, in real browsers, end-to-end encrypted like
 * chat: Ada raises her hand and the host sees it on her tile and first in
 * the participants panel, then the host's own; the host lowers Ada's hand
 * and her button says so; Linus, who joins later, sees the host's hand that
 * is still up; Ada's reaction floats over her tile for everyone, hers
 * included. axe-core finds nothing serious with the panel or the reactions
 * open.
 */
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { expectNoSeriousViolations } from './axe.js';
import { createRoom, joinAsHost, Participant } from './participant.js';

const SHOTS = 'test-results/screenshots';

/** In the meeting's encrypted group (signals need its keys): the verification code shows. */
async function inGroup(p: Participant): Promise<void> {
  await expect(p.page.getByTestId('safety-code')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
}

test('hands go up in order, a host lowers one, a late joiner sees the rest, and reactions float', async ({ browser }) => {
  const link = `/r/${await createRoom({ name: 'Town hall' })}#k=${randomBytes(32).toString('base64url')}`;
  const host = await joinAsHost(browser, 'Hilda', link);
  const ada = await Participant.join(browser, 'Ada', link);
  for (const p of [host, ada]) await inGroup(p);
  await expect(host.tile('Ada')).toBeVisible();

  // Ada raises her hand: on her own tile and button, and on her tile at the host's.
  await ada.page.getByTestId('raise-hand').click();
  await expect(ada.page.getByTestId('raise-hand')).toHaveAttribute('aria-pressed', 'true');
  await expect(ada.page.getByTestId('local-tile')).toHaveAttribute('data-hand-raised', 'true');
  await expect(host.tile('Ada')).toHaveAttribute('data-hand-raised', 'true');
  await expect(host.tile('Ada').getByTestId('hand-badge')).toBeVisible();

  // Then the host's: the panel lists both, in the order they went up; the button counts them.
  await host.page.getByTestId('raise-hand').click();
  await expect(ada.tile('Hilda')).toHaveAttribute('data-hand-raised', 'true');
  await expect(host.page.getByTestId('hands-count')).toHaveText('2');
  await host.page.getByTestId('toggle-participants').click();
  const panel = host.page.getByTestId('participants-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('raised-hand')).toHaveCount(2);
  expect(await panel.getByTestId('raised-hand').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual([
    'Ada',
    'Hilda',
  ]);
  await expect(panel.getByTestId('participant-entry')).toHaveCount(2);
  await host.page.screenshot({ path: `${SHOTS}/hands-panel-host.png` });
  await expectNoSeriousViolations(host.page, 'participants panel');

  // The host lowers Ada's hand: gone at the host's, at Ada's (her button too).
  await panel.locator('[data-testid="raised-hand"][data-name="Ada"]').getByTestId('lower-hand').click();
  await expect(panel.getByTestId('raised-hand')).toHaveCount(1);
  await expect(ada.page.getByTestId('raise-hand')).toHaveAttribute('aria-pressed', 'false');
  await expect(ada.page.getByTestId('local-tile')).toHaveAttribute('data-hand-raised', 'false');
  await expect(host.tile('Ada')).toHaveAttribute('data-hand-raised', 'false');

  // Linus joins later: he sees the hand that is still up (the host's), and not Ada's.
  const linus = await Participant.join(browser, 'Linus', link);
  await inGroup(linus);
  await expect(linus.tile('Hilda')).toHaveAttribute('data-hand-raised', 'true', { timeout: 20_000 });
  await expect(linus.tile('Ada')).toHaveAttribute('data-hand-raised', 'false');

  // Ada's reaction floats over her tile for everyone, and over her own.
  await ada.page.getByTestId('reactions').click();
  await expect(ada.page.getByTestId('reactions-menu')).toBeVisible();
  await expectNoSeriousViolations(ada.page, 'reactions menu');
  await ada.page.locator('[data-testid="reaction-option"][data-emoji="🎉"]').click();
  await expect(ada.page.getByTestId('reactions-menu')).toBeHidden();
  await expect(ada.page.getByTestId('local-tile').getByTestId('reaction')).toHaveAttribute('data-emoji', '🎉');
  for (const p of [host, linus]) await expect(p.tile('Ada').getByTestId('reaction')).toHaveAttribute('data-emoji', '🎉');
  await linus.page.screenshot({ path: `${SHOTS}/reaction-late-joiner.png` });
  // It goes after a few seconds.
  await expect(linus.tile('Ada').getByTestId('reaction')).toHaveCount(0, { timeout: 10_000 });

  for (const p of [host, ada, linus]) await p.close();
});
