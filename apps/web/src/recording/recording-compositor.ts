/**
 * Draws what the participant sees onto a canvas, one frame per tick, and
 * offers the canvas as a video track: each tile's decrypted video (a camera
 * cropped to fill its tile, a screen shown whole), or the person's initials
 * when there is none, with their name, a microphone-off mark and the
 * speaker's ring, in the call's colours.
 *
 * Each video track is played by a detached, muted <video> of the
 * compositor's own (made when the track first appears, released when it
 * goes), so the recording does not depend on what the page renders.
 */
import { initials } from '../components/ParticipantTile.js';
import { coverSource, fitRect, type Rect } from './frame-fit.js';
import { recordingLayout, RECORDING_FPS, RECORDING_HEIGHT, RECORDING_WIDTH } from './recording-layout.js';
import type { RecordingScene, SceneTile } from './recording-scene.js';

const COLORS = {
  background: '#0f1115',
  tile: '#1d212a',
  border: '#2a2f3a',
  speaking: '#5b8cff',
  label: 'rgba(10, 12, 16, 0.72)',
  text: '#e8eaf0',
  danger: 'rgba(229, 72, 77, 0.9)',
};
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
/** The app's microphone-off icon (icons.tsx), on its 24px grid. */
const MIC_OFF_PATH =
  'M15 9.3V5a3 3 0 0 0-5.7-1.3M9 9v2a3 3 0 0 0 5.1 2.1M19 10a7 7 0 0 1-1.2 3.9M5 10a7 7 0 0 0 11.3 5.5M12 17v4M8 21h8M3 3l18 18';

type CanvasTrack = MediaStreamTrack & { requestFrame?: () => void };

export class RecordingCompositor {
  readonly canvas: HTMLCanvasElement;
  /** The composed video, one frame per draw(). */
  readonly track: CanvasTrack;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly videos = new Map<string, HTMLVideoElement>();
  private readonly micOff: Path2D | null;

  constructor(
    readonly width = RECORDING_WIDTH,
    readonly height = RECORDING_HEIGHT,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = width;
    this.canvas.height = height;
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('This browser cannot draw the recording (no 2D canvas).');
    this.ctx = ctx;
    this.micOff = typeof Path2D === 'function' ? new Path2D(MIC_OFF_PATH) : null;
    // Frames are pushed by draw() where the browser allows it; elsewhere it samples the canvas itself.
    const probe: CanvasTrack | undefined = this.canvas.captureStream(0).getVideoTracks()[0];
    if (probe && typeof probe.requestFrame === 'function') this.track = probe;
    else {
      probe?.stop();
      const sampled = this.canvas.captureStream(RECORDING_FPS).getVideoTracks()[0];
      if (!sampled) throw new Error('This browser cannot record a canvas.');
      this.track = sampled;
    }
    this.draw({ tiles: [], audio: [] });
  }

  /** Draws one frame of the scene and hands it to the track. */
  draw(scene: RecordingScene): void {
    const { ctx } = this;
    ctx.fillStyle = COLORS.background;
    ctx.fillRect(0, 0, this.width, this.height);
    const rects = recordingLayout(scene.tiles, this.width, this.height);
    const used = new Set<string>();
    scene.tiles.forEach((tile, i) => {
      const rect = rects[i]!;
      const video = tile.track ? this.videoFor(tile.track) : null;
      if (tile.track) used.add(tile.track.id);
      this.drawTile(tile, rect, video);
    });
    for (const [id, video] of this.videos) {
      if (used.has(id)) continue;
      video.pause();
      video.srcObject = null;
      this.videos.delete(id);
    }
    this.track.requestFrame?.();
  }

  dispose(): void {
    for (const video of this.videos.values()) {
      video.pause();
      video.srcObject = null;
    }
    this.videos.clear();
    this.track.stop();
  }

  private videoFor(track: MediaStreamTrack): HTMLVideoElement {
    let video = this.videos.get(track.id);
    if (!video) {
      video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.autoplay = true;
      video.srcObject = new MediaStream([track]);
      video.play().catch(() => undefined);
      this.videos.set(track.id, video);
    }
    return video;
  }

  /**
   * One tile. Video is drawn without clipping (a crop of the source for a
   * camera, the whole frame inside the tile for a screen): clipping to a
   * rounded shape costs more than the rest of the frame on a CPU canvas.
   */
  private drawTile(tile: SceneTile, r: Rect, video: HTMLVideoElement | null): void {
    const { ctx } = this;
    const ready = video !== null && video.readyState >= 2 && video.videoWidth > 0;
    const radius = ready ? 0 : Math.min(14, r.width / 12);
    this.roundRect(r, radius);
    ctx.fillStyle = tile.source === 'screen' ? '#000' : COLORS.tile;
    ctx.fill();
    if (ready && tile.source === 'screen') {
      const at = fitRect(video.videoWidth, video.videoHeight, r, 'contain');
      ctx.drawImage(video, at.x, at.y, at.width, at.height);
    } else if (ready) {
      const from = coverSource(video.videoWidth, video.videoHeight, r);
      ctx.drawImage(video, from.x, from.y, from.width, from.height, r.x, r.y, r.width, r.height);
    } else if (tile.source === 'camera' || !video) {
      this.drawAvatar(tile.name, r);
    }
    this.roundRect(r, radius);
    ctx.lineWidth = tile.speaking ? 3 : 1;
    ctx.strokeStyle = tile.speaking ? COLORS.speaking : COLORS.border;
    ctx.stroke();
    this.drawLabel(tile, r);
  }

  private drawAvatar(name: string, r: Rect): void {
    const { ctx } = this;
    const size = Math.max(24, Math.min(112, r.width * 0.22, r.height * 0.45));
    const cx = r.x + r.width / 2;
    const cy = r.y + r.height / 2;
    const gradient = ctx.createLinearGradient(cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2);
    gradient.addColorStop(0, '#3a4a7a');
    gradient.addColorStop(1, '#5b3a7a');
    ctx.fillStyle = gradient;
    ctx.beginPath();
    ctx.arc(cx, cy, size / 2, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.font = `700 ${Math.round(size * 0.36)}px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(initials(name), cx, cy);
  }

  private drawLabel(tile: SceneTile, r: Rect): void {
    const { ctx } = this;
    const fontSize = Math.round(Math.max(11, Math.min(18, r.height * 0.065)));
    const pad = Math.round(fontSize * 0.5);
    const h = fontSize + pad * 1.4;
    const inset = Math.max(6, Math.round(fontSize * 0.6));
    let x = r.x + inset;
    const y = r.y + r.height - inset - h;
    if (tile.source === 'camera' && tile.muted && this.micOff) {
      ctx.save();
      this.roundRect({ x, y, width: h, height: h }, 6);
      ctx.fillStyle = COLORS.danger;
      ctx.fill();
      const s = (h * 0.68) / 24;
      ctx.translate(x + (h - 24 * s) / 2, y + (h - 24 * s) / 2);
      ctx.scale(s, s);
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 2;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.stroke(this.micOff);
      ctx.restore();
      x += h + Math.round(pad * 0.6);
    }
    const text = tile.source === 'screen' ? `${tile.name}'s screen` : tile.name;
    ctx.save();
    ctx.font = `500 ${fontSize}px ${FONT}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const maxText = r.x + r.width - inset - x - 2 * pad;
    const shown = this.ellipsize(text, Math.max(0, maxText));
    const w = ctx.measureText(shown).width + 2 * pad;
    this.roundRect({ x, y, width: w, height: h }, 6);
    ctx.fillStyle = COLORS.label;
    ctx.fill();
    ctx.fillStyle = COLORS.text;
    ctx.fillText(shown, x + pad, y + h / 2);
    ctx.restore();
  }

  /** The text, cut with an ellipsis to fit `max` pixels in the current font. */
  private ellipsize(text: string, max: number): string {
    const { ctx } = this;
    if (ctx.measureText(text).width <= max) return text;
    let chars = [...text];
    while (chars.length > 1 && ctx.measureText(`${chars.join('')}…`).width > max) chars = chars.slice(0, -1);
    return `${chars.join('')}…`;
  }

  private roundRect(r: Rect, radius: number): void {
    const { ctx } = this;
    ctx.beginPath();
    if (typeof ctx.roundRect === 'function') ctx.roundRect(r.x, r.y, r.width, r.height, radius);
    else ctx.rect(r.x, r.y, r.width, r.height);
  }
}
