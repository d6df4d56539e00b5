/**
 * Real Chromium for the server's own browser tests: Debian's binary with the
 * flags this machine needs (no sandbox, no GPU, nothing phoning home) and a
 * fake camera and microphone, and a person joining a call in it.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Opens `link` on the test server in a fresh context (a separate person), types `name` and joins. */
export async function joinCall(
  browser: Browser,
  port: number,
  name: string,
  link: string,
  options: { viewport?: { width: number; height: number }; initScripts?: Array<() => void> } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 800, height: 500 },
    permissions: ['camera', 'microphone'],
  });
  const page = await context.newPage();
  for (const script of options.initScripts ?? []) await page.addInitScript(script);
  await page.goto(`http://localhost:${port}${link}`);
  await page.getByTestId('display-name').fill(name);
  await page.getByTestId('join-button').click();
  await page
    .getByTestId('local-video')
    .waitFor({ timeout: 10_000 })
    .catch(async () => {
      throw new Error(`join failed: ${await page.evaluate(() => document.body.innerText)}`);
    });
  return page;
}
