/** A bar that moves with the microphone's loudness, so people can check they are heard before joining. */
import { useEffect, useState } from 'react';
import { monitorMicLevel } from '../media/mic-level.js';

export function MicLevelMeter({ track, active }: { track: MediaStreamTrack | null; active: boolean }) {
  // The level read from this track, while it is monitored; anything else shows as silence.
  const [reading, setReading] = useState<{ track: MediaStreamTrack; level: number } | null>(null);
  useEffect(() => {
    if (!track || !active || track.readyState === 'ended') return;
    const monitor = monitorMicLevel(track, (level) => setReading({ track, level }));
    return () => monitor.stop();
  }, [track, active]);
  const level = active && reading?.track === track ? reading.level : 0;
  const segments = 12;
  const lit = Math.round((level / 100) * segments);
  return (
    <div
      className="mic-level"
      data-testid="mic-level"
      role="meter"
      aria-label="Microphone level"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={active && track ? level : 0}
      aria-valuetext={!track ? 'No microphone' : !active ? 'Microphone off' : `${level}%`}
    >
      {Array.from({ length: segments }, (_, i) => (
        <span
          key={i}
          className={`mic-level__seg${i < lit ? ' mic-level__seg--on' : ''}${i >= segments - 2 ? ' mic-level__seg--hot' : ''}`}
        />
      ))}
    </div>
  );
}
