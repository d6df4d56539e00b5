/**
 * A person in a browser: opens a meeting link, types a name, joins, and
 * reports what their browser is decoding. Each participant gets its own
 * browser context, like a separate person on a separate machine.
 */
import { randomBytes } from 'node:crypto';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

const BASE_URL = `http://localhost:${process.env.CONCLAVE_TEST_PORT ?? 3210}`;
let adminCookie: string | null = null;

/** Signs in to the test server's REST API as its admin; returns the session cookie. */
export async function adminSession(): Promise<string> {
  if (adminCookie) return adminCookie;
  const res = await fetch(`${BASE_URL}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: process.env.CONCLAVE_TEST_ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`admin sign-in failed: ${res.status} ${await res.text()}`);
  adminCookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return adminCookie;
}

/** Creates a room as the admin would (REST), and returns its id. */
export async function createRoom(options: { name?: string; password?: string; lobby?: boolean } = {}): Promise<string> {
  const res = await fetch(`${BASE_URL}/api/rooms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: await adminSession(), Origin: BASE_URL },
    body: JSON.stringify({ name: options.name ?? 'Test meeting', ...options }),
  });
  if (res.status !== 201) throw new Error(`room creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** A fresh meeting link: a new room and a random 32-byte meeting key in the fragment. */
export async function newMeeting(options: { name?: string; password?: string; lobby?: boolean; secret?: string } = {}): Promise<string> {
  const { secret = randomBytes(32).toString('base64url'), ...room } = options;
  return `/r/${await createRoom(room)}#k=${secret}`;
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
    // What the encryption layer refused (a commit, a Welcome, a join request): the first thing to read when a test fails.
    page.on('console', (m) => {
      if (m.text().startsWith('conclave e2ee')) console.log(`[${name}] ${m.text()}`);
    });
    await page.goto(path);
    return new Participant(name, context, page);
  }

  static async join(browser: Browser, name: string, path: string, options: { testHooks?: boolean } = {}): Promise<Participant> {
    const p = await Participant.open(browser, name, path, options);
    await p.joinCall();
    return p;
  }

  async joinCall({ roomPassword }: { roomPassword?: string } = {}): Promise<void> {
    await this.page.getByTestId('display-name').fill(this.name);
    if (roomPassword !== undefined) await this.page.getByTestId('room-password').fill(roomPassword);
    await this.page.getByTestId('join-button').click();
    // The join (ticket, socket, transports, camera) on a machine the other browsers keep busy.
    await expect(this.page.getByTestId('local-video')).toBeVisible({ timeout: 30_000 });
  }

  tile(name: string) {
    // The camera tile: a person sharing their screen also has a tile with data-source="screen".
    return this.page.locator(`[data-testid="remote-tile"][data-peer-name="${name}"][data-source="camera"]`);
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
      .poll(async () => (first = (await this.statsFor(name))?.framesDecoded ?? 0), {
        timeout: 30_000,
        message: `${this.name} decodes ${name}`,
      })
      .toBeGreaterThan(5);
    await expect
      .poll(async () => (await this.statsFor(name))?.framesDecoded ?? 0, {
        timeout: 15_000,
        message: `${this.name} keeps decoding ${name}`,
      })
      .toBeGreaterThan(first + 10);
    if (audio) {
      await expect
        .poll(async () => (await this.statsFor(name))?.audioPacketsReceived ?? 0, {
          timeout: 15_000,
          message: `${this.name} hears ${name}`,
        })
        .toBeGreaterThan(10);
    }
    // The <video> in the tile really plays frames, not just the stats counter.
    await expect
      .poll(
        async () =>
          this.tile(name)
            .locator('video')
            .evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames),
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

/** A participant signed in as the admin, so the server makes them host of the room, in the call at `link`. */
export async function joinAsHost(browser: Browser, name: string, link: string): Promise<Participant> {
  const p = await Participant.open(browser, name, '/');
  const login = await p.page.request.post('/api/auth/login', {
    data: { username: 'admin', password: process.env.CONCLAVE_TEST_ADMIN_PASSWORD },
  });
  expect(login.status()).toBe(200);
  await p.page.goto(link);
  await p.joinCall();
  return p;
}
