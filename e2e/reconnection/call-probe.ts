/**
 * What a page shows of the call, read through window.conclave and the DOM,
 * for the reconnection tests: who it decodes (and whether encrypted), how
 * the call has recovered, and when the reconnecting banner came and went.
 * Works with a Playwright page from the test runner or from playwright-core.
 */

/** The evaluate() both Playwright flavours offer. */
export interface Evaluator {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

export interface Seen {
  framesDecoded: number;
  audioPacketsReceived: number;
  e2ee: string | null;
  peerId: string | null;
  /** The tile's frame-origin state (data-origin): a tile whose signatures stopped coming stops showing frames. */
  origin: string | null;
}

export interface Recovery {
  peerId: string | null;
  rejoins: number;
  iceRestarts: number;
  /** Media rebuilt on the same connection after the server's media worker died. */
  mediaResets: number;
  transports: { send: string | null; recv: string | null };
  reconnecting: { cause: 'server' | 'media'; attempt: number; nextAttemptAt: number | null } | null;
}

/** What `page` sees of each of `names`: frames decoded, audio packets, the tile's E2EE state. */
export async function seenFrom(page: Evaluator, names: string[]): Promise<Record<string, Seen>> {
  return page.evaluate(async (wanted: string[]) => {
    const stats = ((await window.conclave?.stats()) ?? []) as Array<{
      peerId: string;
      displayName: string;
      framesDecoded: number;
      audioPacketsReceived: number;
    }>;
    const out: Record<
      string,
      { framesDecoded: number; audioPacketsReceived: number; e2ee: string | null; peerId: string | null; origin: string | null }
    > = {};
    for (const n of wanted) {
      const s = stats.find((x) => x.displayName === n);
      const tile = document.querySelector(`[data-testid="remote-tile"][data-peer-name="${n}"][data-source="camera"]`);
      out[n] = {
        framesDecoded: s?.framesDecoded ?? 0,
        audioPacketsReceived: s?.audioPacketsReceived ?? 0,
        e2ee: tile?.getAttribute('data-e2ee') ?? null,
        peerId: tile?.getAttribute('data-peer-id') ?? null,
        origin: tile?.getAttribute('data-origin') ?? null,
      };
    }
    return out;
  }, names);
}

export async function recoveryOf(page: Evaluator): Promise<Recovery> {
  const r = await page.evaluate(() => (window.conclave?.recovery() ?? null) as unknown, undefined);
  if (!r) throw new Error('window.conclave.recovery() is not there: is the page in a call?');
  return r as Recovery;
}

/**
 * Records in the page when the reconnecting banner appears and goes, however briefly (a MutationObserver).
 * No named functions inside: tsx (esbuild) would wrap them in a helper the page does not have.
 */
export async function watchBanner(page: Evaluator): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as {
      __banner?: { shown: Array<{ at: number; cause: string | null }>; hidden: number[]; visible: boolean };
    };
    if (w.__banner) return;
    const initial = document.querySelector('[data-testid="reconnecting"]');
    const log = (w.__banner = {
      shown: initial ? [{ at: Date.now(), cause: initial.getAttribute('data-cause') }] : [],
      hidden: [] as number[],
      visible: !!initial,
    });
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="reconnecting"]');
      if (!!el === log.visible) return;
      log.visible = !!el;
      if (el) log.shown.push({ at: Date.now(), cause: el.getAttribute('data-cause') });
      else log.hidden.push(Date.now());
    }).observe(document.body, { childList: true, subtree: true, attributes: true });
  }, undefined);
}

export async function bannerLog(page: Evaluator): Promise<{ shown: Array<{ at: number; cause: string | null }>; hidden: number[] }> {
  return page.evaluate(
    () => (window as unknown as { __banner: { shown: Array<{ at: number; cause: string | null }>; hidden: number[] } }).__banner,
    undefined,
  );
}

/** Resolves when probe() gives a value other than null; polls every 100 ms. */
export async function until<T>(what: string | (() => string), timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until `page` decodes every one of `names` with the tile saying
 * "encrypted", and their frame counts then keep growing (by more than 5
 * within 10 s). Resolves with the time (Date.now()) the first condition held.
 *
 * A count that falls means a consumer went (its frames no longer add up): a
 * consumer of a producer that died with its media worker lingers until the
 * server's consumerClosed arrives, and its frozen count must neither make the
 * first condition hold early nor the growth after it look short. The wait
 * then starts over from the new counts, as it does after a stall of 10 s.
 * Decoding must begin within `timeoutMs`.
 */
export async function decodingAll(page: Evaluator, viewer: string, names: string[], timeoutMs: number): Promise<number> {
  let last: Record<string, Seen> = {};
  let first: { at: number; seen: Record<string, Seen> } | null = null;
  let previous: Record<string, Seen> | null = null;
  const startedBy = Date.now() + timeoutMs;
  const what = () =>
    first
      ? `${viewer} keeps decoding ${names.join(', ')} (from ${JSON.stringify(first.seen)}, last seen: ${JSON.stringify(last)})`
      : `${viewer} decodes ${names.join(', ')} encrypted (last seen: ${JSON.stringify(last)})`;
  return until(what, timeoutMs + KEEPS_DECODING_MS, async () => {
    const seen = (last = await seenFrom(page, names));
    const before = previous;
    previous = seen;
    if (before && names.some((n) => seen[n]!.framesDecoded < before[n]!.framesDecoded)) first = null;
    // Stalled since: the recovery is not done yet, and its time is not that of the stalled start.
    if (first && Date.now() - first.at > KEEPS_DECODING_MS) first = null;
    if (!first) {
      const ready = names.every((n) => seen[n]!.framesDecoded > 5 && seen[n]!.audioPacketsReceived > 0 && seen[n]!.e2ee === 'encrypted');
      // Decoding must begin within timeoutMs; it then has 10 s to show it goes on.
      if (ready && Date.now() <= startedBy) first = { at: Date.now(), seen };
      return null;
    }
    const from = first.seen;
    return names.every((n) => seen[n]!.framesDecoded > from[n]!.framesDecoded + 5) ? first.at : null;
  });
}

/** How long frame counts get to grow once decoding has begun. */
const KEEPS_DECODING_MS = 10_000;

/**
 * Waits until the frames `page` decodes from each of `names` grow by more than
 * 10 over what they are now (the same consumers, after a media outage), the
 * tiles still saying "encrypted". Resolves with the time (Date.now()) they did.
 */
export async function resumedDecoding(page: Evaluator, viewer: string, names: string[], timeoutMs: number): Promise<number> {
  const base = await seenFrom(page, names);
  let last: Record<string, Seen> = base;
  return until(
    () => `${viewer} decodes ${names.join(', ')} again (from ${JSON.stringify(base)}, last seen: ${JSON.stringify(last)})`,
    timeoutMs,
    async () => {
      const seen = (last = await seenFrom(page, names));
      return names.every((n) => seen[n]!.framesDecoded > base[n]!.framesDecoded + 10 && seen[n]!.e2ee === 'encrypted') ? Date.now() : null;
    },
  );
}
