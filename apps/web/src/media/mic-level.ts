/**
 * The loudness of a microphone track, 0–100, read from a WebAudio
 * AnalyserNode ten times a second, falling back gradually like a hardware
 * meter (so a short sound stays visible for a moment). `stop()` closes the
 * AudioContext.
 */
export interface MicLevelMonitor {
  stop(): void;
}

/** Per 100 ms: a peak falls to a tenth in about 1.5 s. */
const DECAY_PER_TICK = 0.85;

export function monitorMicLevel(track: MediaStreamTrack, onLevel: (level: number) => void): MicLevelMonitor {
  const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctx) return { stop: () => undefined };
  const context = new Ctx();
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  let stopped = false;
  let shown = 0;
  // A page's AudioContext may start suspended until a user gesture: try now, and again on the first click or key.
  const resume = () => void context.resume().catch(() => undefined);
  resume();
  window.addEventListener('pointerdown', resume, { once: true, capture: true });
  window.addEventListener('keydown', resume, { once: true, capture: true });
  const timer = setInterval(() => {
    if (stopped) return;
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    const rms = Math.sqrt(sum / data.length);
    // -60 dBFS → 0, 0 dBFS → 100.
    const db = rms > 0 ? 20 * Math.log10(rms) : -100;
    const level = Math.min(100, Math.max(0, ((db + 60) / 60) * 100));
    shown = Math.max(level, shown * DECAY_PER_TICK);
    onLevel(Math.round(shown));
  }, 100);
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      window.removeEventListener('pointerdown', resume, { capture: true });
      window.removeEventListener('keydown', resume, { capture: true });
      source.disconnect();
      void context.close().catch(() => undefined);
    },
  };
}
