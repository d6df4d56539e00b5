/**
 * End-to-end encryption as people meet it: the same verification code for
 * everyone, changing on every join and leave; a participant holding a
 * different meeting key decodes nothing and is shown as cannot-decrypt while
 * the others carry on; and the passphrase path for links without a key.
 */
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { newMeeting, Participant } from './participant.js';

async function code(p: Participant): Promise<string> {
  const chip = p.page.getByTestId('safety-code');
  await expect(chip).toHaveAttribute('data-state', 'ready');
  return (await chip.textContent()) ?? '';
}

/** Waits until all participants show one code, and returns it. */
async function agreedCode(people: Participant[]): Promise<string> {
  let codes: string[] = [];
  await expect
    .poll(
      async () => {
        codes = await Promise.all(people.map(code));
        return new Set(codes).size;
      },
      { message: 'everyone shows the same verification code' },
    )
    .toBe(1);
  return codes[0]!;
}

test('three with the same key decode each other; a fourth with a different key decodes nothing', async ({ browser }) => {
  const secret = randomBytes(32).toString('base64url');
  const room = await newMeeting({ secret });
  const ada = await Participant.join(browser, 'Ada', room);
  const grace = await Participant.join(browser, 'Grace', room);
  const codeOfTwo = await agreedCode([ada, grace]);
  expect(codeOfTwo).toMatch(/\d{5} \d{5}/);

  const linus = await Participant.join(browser, 'Linus', room);
  const people = [ada, grace, linus];
  const codeOfThree = await agreedCode(people);
  expect(codeOfThree).not.toBe(codeOfTwo);

  for (const me of people) {
    for (const other of people.filter((p) => p !== me)) {
      await me.expectReceiving(other.name);
      await expect(me.tile(other.name)).toHaveAttribute('data-e2ee', 'encrypted');
    }
  }
  await ada.page.screenshot({ path: 'test-results/screenshots/e2ee-three-way.png' });

  // Same room, different meeting key.
  const wrongRoom = room.replace(/#k=.*/, `#k=${randomBytes(32).toString('base64url')}`);
  const mallory = await Participant.join(browser, 'Mallory', wrongRoom);
  for (const name of ['Ada', 'Grace', 'Linus']) {
    await expect(mallory.tile(name)).toHaveAttribute('data-e2ee', 'cannot-decrypt');
    await expect(mallory.tile(name)).toContainText('Cannot decrypt');
  }
  for (const p of people) await expect(p.tile('Mallory')).toHaveAttribute('data-e2ee', 'cannot-decrypt');
  await mallory.page.waitForTimeout(3000);
  for (const s of await mallory.stats()) expect(s.framesDecoded, `Mallory decodes ${s.displayName}`).toBe(0);
  await mallory.page.screenshot({ path: 'test-results/screenshots/e2ee-cannot-decrypt.png' });

  // The others carry on: frames keep being decoded, and their code is unchanged by a member they cannot verify.
  for (const me of people) for (const other of people.filter((p) => p !== me)) await me.expectReceiving(other.name, { audio: false });
  expect(await agreedCode(people)).toBe(codeOfThree);

  // Leaving changes the code again, for those who stay.
  await linus.close();
  const codeAfterLeave = await agreedCode([ada, grace]);
  expect(codeAfterLeave).not.toBe(codeOfThree);
  await ada.expectReceiving('Grace', { audio: false });
  await grace.expectReceiving('Ada', { audio: false });

  for (const p of [ada, grace, mallory]) await p.close();
});

test('a link without a key asks for a passphrase, and the same passphrase meets', async ({ browser }) => {
  const room = (await newMeeting()).replace(/#.*/, '');
  const joinWith = async (name: string, passphrase: string) => {
    const p = await Participant.open(browser, name, room);
    await expect(p.page.getByTestId('join-button')).toBeDisabled();
    await p.page.getByTestId('display-name').fill(name);
    await p.page.getByTestId('e2ee-passphrase').fill(passphrase);
    await p.page.getByTestId('join-button').click();
    await expect(p.page.getByTestId('local-video')).toBeVisible({ timeout: 30_000 });
    return p;
  };
  const a = await joinWith('Alice', 'correct horse battery staple');
  const b = await joinWith('Bob', 'correct horse battery staple');
  await a.expectReceiving('Bob');
  await b.expectReceiving('Alice');
  await agreedCode([a, b]);
  const c = await joinWith('Carol', 'wrong passphrase');
  await expect(c.tile('Alice')).toHaveAttribute('data-e2ee', 'cannot-decrypt');
  for (const p of [a, b, c]) await p.close();
});
