/**
 * The walking skeleton, end to end: three people join one room through the
 * SFU, each decodes the other two's video and receives their audio, and when
 * one leaves the others' tiles for them go within 2 s.
 */
import { expect, test } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

test('three participants see and hear each other; a leaver disappears within 2 s', async ({ browser }) => {
  const room = await newMeeting();
  const names = ['Ada', 'Grace', 'Linus'];
  const people: Participant[] = [];
  for (const name of names) people.push(await Participant.join(browser, name, room));

  for (const me of people) {
    for (const other of names.filter((n) => n !== me.name)) await me.expectReceiving(other);
    await expect(me.page.getByTestId('remote-tile')).toHaveCount(2);
  }
  await people[0]!.page.screenshot({ path: 'test-results/screenshots/three-way-call.png' });

  const [ada, grace, linus] = people as [Participant, Participant, Participant];
  await linus.page.getByTestId('leave-button').click();
  const left = Date.now();
  await expect(ada.tile('Linus')).toHaveCount(0, { timeout: 2000 });
  await expect(grace.tile('Linus')).toHaveCount(0, { timeout: Math.max(1, 2000 - (Date.now() - left)) });
  await expect(ada.page.getByTestId('remote-tile')).toHaveCount(1);

  // Closing a browser (no leave message) also removes the tile quickly.
  await grace.close();
  await expect(ada.tile('Grace')).toHaveCount(0, { timeout: 2000 });

  for (const p of [ada, linus]) await p.close();
});
