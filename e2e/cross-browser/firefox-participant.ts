/**
 * A participant in Debian's Firefox ESR, driven by puppeteer-core over
 * WebDriver BiDi (Playwright cannot drive stock Firefox). Fake camera and
 * microphone come from Firefox's own preferences.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { ReceiveStats } from '../participant.js';

const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
  'network.captive-portal-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
};

export class FirefoxParticipant {
  private constructor(
    readonly name: string,
    private readonly browser: Browser,
    readonly page: Page,
  ) {}

  static async join(name: string, url: string): Promise<FirefoxParticipant> {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr',
      headless: true,
      extraPrefsFirefox: FIREFOX_PREFS,
    });
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.log(`[${name} firefox] page error: ${String(err)}`));
    await page.goto(url);
    await page.waitForSelector('[data-testid="join-button"]:not([disabled])', { timeout: 20_000 }).catch(() => undefined);
    await page.locator('[data-testid="display-name"]').fill(name);
    await page.waitForSelector('[data-testid="join-button"]:not([disabled])', { timeout: 20_000 });
    await page.click('[data-testid="join-button"]');
    await page.waitForSelector('[data-testid="local-video"]', { timeout: 30_000 });
    return new FirefoxParticipant(name, browser, page);
  }

  async statsFor(name: string): Promise<ReceiveStats | undefined> {
    const all = (await this.page.evaluate(() => window.conclave!.stats())) as ReceiveStats[];
    return all.find((s) => s.displayName === name);
  }

  async tileState(name: string): Promise<string | null> {
    return this.page.$eval(`[data-testid="remote-tile"][data-peer-name="${name}"]`, (el) => el.getAttribute('data-e2ee')).catch(() => null);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
