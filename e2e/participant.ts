/**
 * A person in a browser: opens a meeting link, types a name, joins, and
 * reports what their browser is decoding. Each participant gets its own
 * browser context, like a separate person on a separate machine.
 */
import { randomBytes } from 'node:crypto';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

/** A fresh meeting link: a unique room id and a random 32-byte meeting key in the fragment. */
export function meetingLink(prefix: string, secret: string = randomBytes(32).toString('base64url')): string {
  return `/r/${prefix}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}#k=${secret}`;
}

export interface ReceiveStats {
  peerId: string;
  displayName: string;
  framesDecoded: number;
  audioPacketsReceived: number;
  framesDropped: number;
}

export class Participant {
  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async open(browser: Browser, name: string, path: string, { testHooks = false } = {}): Promise<Participant> {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (testHooks) await page.addInitScript(() => (window.__CONCLAVE_TEST_HOOKS__ = true));
    page.on('pageerror', (err) => console.log(`[${name}] page error: ${err.message}`));
    await page.goto(path);
    return new Participant(name, context, page);
  }

  static async join(browser: Browser, name: string, path: string, options: { testHooks?: boolean } = {}): Promise<Participant> {
    const p = await Participant.open(browser, name, path, options);
    await p.joinCall();
    return p;
  }

  async joinCall(): Promise<void> {
    await this.page.getByTestId('display-name').fill(this.name);
    await this.page.getByTestId('join-button').click();
    await expect(this.page.getByTestId('local-video')).toBeVisible();
  }

  tile(name: string) {
    return this.page.locator(`[data-testid="remote-tile"][data-peer-name="${name}"]`);
  }

  async stats(): Promise<ReceiveStats[]> {
    return this.page.evaluate(async () => (await window.conclave!.stats()) as ReceiveStats[]);
  }

  async statsFor(name: string): Promise<ReceiveStats | undefined> {
    return (await this.stats()).find((s) => s.displayName === name);
  }

  /** Waits until video frames from `name` are decoded and keep growing, and audio packets arrive. */
  async expectReceiving(name: string, { audio = true } = {}): Promise<void> {
    await expect(this.tile(name)).toBeVisible();
    let first = 0;
    await expect
      .poll(async () => (first = (await this.statsFor(name))?.framesDecoded ?? 0), { timeout: 30_000, message: `${this.name} decodes ${name}` })
      .toBeGreaterThan(5);
    await expect
      .poll(async () => (await this.statsFor(name))?.framesDecoded ?? 0, { timeout: 15_000, message: `${this.name} keeps decoding ${name}` })
      .toBeGreaterThan(first + 10);
    if (audio) {
      await expect
        .poll(async () => (await this.statsFor(name))?.audioPacketsReceived ?? 0, { timeout: 15_000, message: `${this.name} hears ${name}` })
        .toBeGreaterThan(10);
    }
    // The <video> in the tile really plays frames, not just the stats counter.
    await expect
      .poll(
        async () =>
          this.tile(name).locator('video').evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames),
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
