/**
 * Watches the tiles that show consumed videos and tells the server how each
 * is shown (size in device pixels, on screen or not), so it can send a
 * thumbnail a small simulcast layer and pause a video nobody sees. Changes
 * are gathered for a moment and sent together, only what changed.
 */
import type { TileView } from '@conclave/protocol';
import { TileViewBook } from './tile-view-book.js';

/** Resizes and scrolls come in bursts: gather them this long before telling the server. */
const SEND_DELAY_MS = 200;

export class TileViewTracker {
  private readonly book = new TileViewBook();
  private readonly elements = new Map<Element, string>();
  private readonly refs = new Map<string, (el: HTMLElement | null) => void>();
  private readonly resize: ResizeObserver;
  private readonly intersection: IntersectionObserver;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly onVisibility = () => {
    this.book.setPageHidden(document.visibilityState === 'hidden');
    this.schedule();
  };

  constructor(private readonly send: (views: TileView[]) => void) {
    this.resize = new ResizeObserver((entries) => {
      const dpr = window.devicePixelRatio || 1;
      for (const entry of entries) {
        const id = this.elements.get(entry.target);
        if (id) this.book.update(id, { width: entry.contentRect.width * dpr, height: entry.contentRect.height * dpr });
      }
      this.schedule();
    });
    this.intersection = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const id = this.elements.get(entry.target);
        if (id) this.book.update(id, { onScreen: entry.isIntersecting });
      }
      this.schedule();
    });
  }

  /** Starts watching the page's visibility and every tile given so far (again, after stop()). */
  start(): void {
    this.book.setPageHidden(document.visibilityState === 'hidden');
    document.addEventListener('visibilitychange', this.onVisibility);
    for (const el of this.elements.keys()) {
      this.resize.observe(el);
      this.intersection.observe(el);
    }
  }

  /** Stops watching; the tiles are remembered for a later start(). */
  stop(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.resize.disconnect();
    this.intersection.disconnect();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A ref callback for the element showing one consumer's video; stable per consumer. */
  ref(consumerId: string): (el: HTMLElement | null) => void {
    let ref = this.refs.get(consumerId);
    if (!ref) {
      let current: HTMLElement | null = null;
      ref = (el) => {
        if (current === el) return;
        if (current) this.unobserve(current, consumerId);
        current = el;
        if (el) this.observe(el, consumerId);
      };
      this.refs.set(consumerId, ref);
    }
    return ref;
  }

  /** While on, every tile counts as seen (recording the meeting needs every video). */
  setKeepVisible(keep: boolean): void {
    this.book.setKeepVisible(keep);
    this.schedule();
  }

  private observe(el: HTMLElement, consumerId: string): void {
    this.elements.set(el, consumerId);
    this.resize.observe(el);
    this.intersection.observe(el);
  }

  private unobserve(el: HTMLElement, consumerId: string): void {
    this.elements.delete(el);
    this.resize.unobserve(el);
    this.intersection.unobserve(el);
    this.book.remove(consumerId);
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      const changes = this.book.takeChanges();
      if (changes.length > 0) this.send(changes);
    }, SEND_DELAY_MS);
  }
}
