import { describe, expect, it } from 'vitest';
import { combineSamples, networkQuality, sampleBetween, uplinkQuality } from './network-quality.js';

describe('networkQuality', () => {
  it('says nothing when nothing was received', () => {
    expect(networkQuality({ packetsReceived: 0, packetsLost: 0 })).toBeNull();
  });

  it('is good on a clean connection', () => {
    expect(
      networkQuality({ packetsReceived: 500, packetsLost: 0, jitter: 0.005, framesDecoded: 60, framesDropped: 0, roundTripTime: 0.04 }),
    ).toBe('good');
  });

  it('grades packet loss', () => {
    expect(networkQuality({ packetsReceived: 97, packetsLost: 3 })).toBe('fair');
    expect(networkQuality({ packetsReceived: 90, packetsLost: 10 })).toBe('poor');
  });

  it('grades jitter, dropped frames and round-trip time', () => {
    expect(networkQuality({ packetsReceived: 100, packetsLost: 0, jitter: 0.05 })).toBe('fair');
    expect(networkQuality({ packetsReceived: 100, packetsLost: 0, jitter: 0.1 })).toBe('poor');
    expect(networkQuality({ packetsReceived: 100, packetsLost: 0, framesDecoded: 90, framesDropped: 10 })).toBe('fair');
    expect(networkQuality({ packetsReceived: 100, packetsLost: 0, framesDecoded: 50, framesDropped: 50 })).toBe('poor');
    expect(networkQuality({ packetsReceived: 100, packetsLost: 0, roundTripTime: 0.4 })).toBe('fair');
    expect(networkQuality({ packetsReceived: 100, packetsLost: 0, roundTripTime: 0.7 })).toBe('poor');
  });

  it('takes the worst of the signals', () => {
    expect(networkQuality({ packetsReceived: 100, packetsLost: 0, jitter: 0.001, roundTripTime: 0.9 })).toBe('poor');
  });

  it('ignores negative loss (duplicates counted by the receiver)', () => {
    expect(networkQuality({ packetsReceived: 100, packetsLost: -2 })).toBe('good');
  });

  it('combines streams', () => {
    const c = combineSamples([
      { packetsReceived: 50, packetsLost: 1, jitter: 0.01 },
      { packetsReceived: 50, packetsLost: 4, jitter: 0.04, framesDecoded: 30, framesDropped: 0 },
    ]);
    expect(c).toEqual({ packetsReceived: 100, packetsLost: 5, jitter: 0.04, framesDecoded: 30, framesDropped: 0 });
    expect(networkQuality(c)).toBe('fair');
  });
});

describe('sampleBetween', () => {
  const totals = { packetsReceived: 100, packetsLost: 2, jitter: 0.01, framesDecoded: 50, framesDropped: 1, roundTripTime: 0.05 };

  it('takes differences of counters and current values of gauges', () => {
    const next = { packetsReceived: 300, packetsLost: 4, jitter: 0.02, framesDecoded: 110, framesDropped: 1, roundTripTime: 0.07 };
    expect(sampleBetween(totals, next)).toEqual({
      packetsReceived: 200,
      packetsLost: 2,
      jitter: 0.02,
      framesDecoded: 60,
      framesDropped: 0,
      roundTripTime: 0.07,
    });
  });

  it('starts from zero on the first reading and when counters go back', () => {
    expect(sampleBetween(undefined, totals).packetsReceived).toBe(100);
    const reset = { ...totals, packetsReceived: 10, packetsLost: 0, framesDecoded: 5, framesDropped: 0 };
    expect(sampleBetween(totals, reset)).toMatchObject({ packetsReceived: 10, packetsLost: 0, framesDecoded: 5 });
  });

  it('leaves frames out for audio-only participants', () => {
    const audio = { ...totals, framesDecoded: 0, framesDropped: 0 };
    expect(sampleBetween(audio, { ...audio, packetsReceived: 150 })).not.toHaveProperty('framesDecoded');
  });
});

describe('uplinkQuality', () => {
  it('grades what the far end reports', () => {
    expect(uplinkQuality({ fractionLost: undefined, jitter: undefined, roundTripTime: undefined })).toBeNull();
    expect(uplinkQuality({ fractionLost: 0, jitter: 0.002, roundTripTime: 0.02 })).toBe('good');
    expect(uplinkQuality({ fractionLost: 0.1, jitter: 0.002, roundTripTime: 0.02 })).toBe('poor');
  });
});
