/**
 * What this client has seen of each consumed video's tile (size in device
 * pixels, on screen or not) and what it has told the server, so only changes
 * are sent. Pure bookkeeping; tile-views.ts feeds it from the DOM.
 */
import type { TileView } from '@conclave/protocol';

interface Seen {
  width: number;
  height: number;
  /** The tile intersects the viewport (not scrolled away, not display:none). */
  onScreen: boolean;
}

export class TileViewBook {
  private readonly seen = new Map<string, Seen>();
  private readonly sent = new Map<string, TileView>();
  private pageHidden = false;
  private keepVisible = false;

  /** Records what the DOM says of one tile; fields not given keep their last value. */
  update(consumerId: string, patch: Partial<Seen>): void {
    const current = this.seen.get(consumerId) ?? { width: 0, height: 0, onScreen: true };
    this.seen.set(consumerId, { ...current, ...patch });
  }

  remove(consumerId: string): void {
    this.seen.delete(consumerId);
    this.sent.delete(consumerId);
  }

  /** A hidden page (another tab, minimised) shows no tile. */
  setPageHidden(hidden: boolean): void {
    this.pageHidden = hidden;
  }

  /** Counts every tile as seen whatever the page does (while recording the meeting). */
  setKeepVisible(keep: boolean): void {
    this.keepVisible = keep;
  }

  /** The views that differ from what was last sent; they count as sent from now on. */
  takeChanges(): TileView[] {
    const changes: TileView[] = [];
    for (const [consumerId, s] of this.seen) {
      const view: TileView = {
        consumerId,
        width: Math.round(s.width),
        height: Math.round(s.height),
        visible: this.keepVisible || (s.onScreen && !this.pageHidden),
      };
      const last = this.sent.get(consumerId);
      if (last && last.width === view.width && last.height === view.height && last.visible === view.visible) continue;
      this.sent.set(consumerId, view);
      changes.push(view);
    }
    return changes;
  }
}
