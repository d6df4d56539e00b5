import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IceWatchdog } from './ice-watchdog.js';

function setup(restart: () => Promise<void> = () => Promise.resolve()) {
  const calls = { restart: 0, giveUp: [] as string[], recovering: [] as boolean[] };
  const dog = new IceWatchdog({
    restart: () => {
      calls.restart += 1;
      return restart();
    },
    giveUp: (why) => calls.giveUp.push(why),
    onRecovering: (r) => calls.recovering.push(r),
    graceMs: 2500,
    restartTimeoutMs: 10_000,
    retryMs: 2500,
  });
  return { dog, calls };
}

describe('IceWatchdog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('leaves a short "disconnected" blip alone', () => {
    const { dog, calls } = setup();
    dog.onState('connected');
    dog.onState('disconnected');
    vi.advanceTimersByTime(2000);
    dog.onState('connected');
    vi.advanceTimersByTime(20_000);
    expect(calls).toEqual({ restart: 0, giveUp: [], recovering: [] });
  });

  it('restarts ICE when "disconnected" lasts, and reports recovery when connected again', () => {
    const { dog, calls } = setup();
    dog.onState('disconnected');
    vi.advanceTimersByTime(2499);
    expect(calls.restart).toBe(0);
    vi.advanceTimersByTime(1);
    expect(calls.restart).toBe(1);
    expect(dog.isRecovering).toBe(true);
    dog.onState('connecting');
    dog.onState('connected');
    expect(calls.recovering).toEqual([true, false]);
    vi.advanceTimersByTime(20_000);
    expect(calls.giveUp).toEqual([]);
  });

  it('restarts at once on "failed", then again every 2.5 s while media stays down', async () => {
    const { dog, calls } = setup();
    dog.onState('disconnected');
    dog.onState('failed');
    expect(calls.restart).toBe(1);
    dog.onState('failed');
    dog.onState('disconnected');
    expect(calls.restart).toBe(1);
    await vi.advanceTimersByTimeAsync(2500);
    expect(calls.restart).toBe(2);
    await vi.advanceTimersByTimeAsync(2500);
    expect(calls.restart).toBe(3);
    dog.onState('connected');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls.restart).toBe(3);
    expect(calls.giveUp).toEqual([]);
    expect(calls.recovering).toEqual([true, false]);
  });

  it('does not start a restart while the previous one is still being negotiated', async () => {
    let finish: () => void = () => undefined;
    const { dog, calls } = setup(() => new Promise<void>((r) => (finish = r)));
    dog.onState('failed');
    await vi.advanceTimersByTimeAsync(6000);
    expect(calls.restart).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(2500);
    expect(calls.restart).toBe(2);
  });

  it('gives up (rejoin) when the restarts do not bring the transport back in time', async () => {
    const { dog, calls } = setup();
    dog.onState('failed');
    await vi.advanceTimersByTimeAsync(9999);
    expect(calls.giveUp).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.giveUp).toHaveLength(1);
    expect(calls.giveUp[0]).toMatch(/did not come back/);
    expect(calls.recovering).toEqual([true, false]);
    const restarts = calls.restart;
    expect(restarts).toBe(4); // at 0, 2.5, 5 and 7.5 s
    dog.onState('failed'); // disposed: the rejoin owns the call now
    vi.advanceTimersByTime(20_000);
    expect(calls.restart).toBe(restarts);
  });

  it('gives up at once when the restart cannot be done', async () => {
    const { dog, calls } = setup(() => Promise.reject(new Error('Not connected to the meeting server.')));
    dog.onState('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.giveUp).toEqual(['could not restart ICE (Not connected to the meeting server.)']);
    vi.advanceTimersByTime(20_000);
    expect(calls.giveUp).toHaveLength(1);
  });

  it('does nothing more once disposed, and clears its recovering state', () => {
    const { dog, calls } = setup();
    dog.onState('disconnected');
    vi.advanceTimersByTime(2500);
    dog.dispose();
    expect(calls.recovering).toEqual([true, false]);
    vi.advanceTimersByTime(20_000);
    dog.onState('failed');
    expect(calls.restart).toBe(1);
    expect(calls.giveUp).toEqual([]);
  });

  it('stops on "closed"', () => {
    const { dog, calls } = setup();
    dog.onState('disconnected');
    dog.onState('closed');
    vi.advanceTimersByTime(20_000);
    expect(calls.restart).toBe(0);
  });

  it('rejects nonsense timings', () => {
    expect(() => new IceWatchdog({ restart: async () => {}, giveUp: () => {}, onRecovering: () => {}, restartTimeoutMs: 0 })).toThrow(
      /bad timing/,
    );
  });
});
