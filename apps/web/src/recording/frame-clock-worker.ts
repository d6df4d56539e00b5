/**
 * The recording's clock, in a Worker: a page's own timers and animation
 * frames are slowed or stopped while its tab is in the background, a
 * dedicated Worker's timers are not.
 *
 * Told { interval } it sends a tick, and the next one when the page answers
 * 'done', `interval` ms after the last (a few ms after 'done' if drawing took longer). So
 * a busy page gets fewer frames instead of a growing queue of ticks.
 */
interface ClockScope {
  onmessage: ((event: MessageEvent<{ interval: number } | { stop: true } | 'done'>) => void) | null;
  postMessage(message: 'tick'): void;
}

const scope = self as unknown as ClockScope;
const MIN_GAP_MS = 8;
let interval = 0;
let lastTick = 0;
let timer: ReturnType<typeof setTimeout> | null = null;

function tick(): void {
  timer = null;
  lastTick = performance.now();
  scope.postMessage('tick');
}

scope.onmessage = ({ data }) => {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  if (data === 'done') {
    // At least a few ms between frames, so a page that draws slowly still gets time for everything else.
    if (interval > 0) timer = setTimeout(tick, Math.max(MIN_GAP_MS, interval - (performance.now() - lastTick)));
  } else if ('interval' in data && data.interval > 0) {
    interval = data.interval;
    tick();
  } else {
    interval = 0;
  }
};
