/**
 * The loudness of a microphone track, 0–100, read from a WebAudio
 * AnalyserNode a few times a second. `stop()` closes the AudioContext.
 */
export interface MicLevelMonitor {
  stop(): void;
}

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
  // A page's AudioContext may start suspended until a user gesture; try to resume quietly.
  void context.resume().catch(() => undefined);
  const timer = setInterval(() => {
    if (stopped) return;
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    const rms = Math.sqrt(sum / data.length);
    // -60 dBFS → 0, 0 dBFS → 100.
    const db = rms > 0 ? 20 * Math.log10(rms) : -100;
    onLevel(Math.round(Math.min(100, Math.max(0, ((db + 60) / 60) * 100))));
  }, 100);
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      source.disconnect();
      void context.close().catch(() => undefined);
    },
  };
}
