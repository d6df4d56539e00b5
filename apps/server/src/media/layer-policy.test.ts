import { describe, expect, it } from 'vitest';
import { chooseLayers, layerForHeight, neededHeight, type ViewedVideo } from './layer-policy.js';

const SIMULCAST = [{ height: 180 }, { height: 360 }, { height: 720 }];
const video = (consumerId: string, view: ViewedVideo['view'], layers = SIMULCAST): ViewedVideo => ({ consumerId, layers, view });

describe('layerForHeight', () => {
  it('picks the smallest layer that is sharp at the tile height', () => {
    expect(layerForHeight(SIMULCAST, 120)).toBe(0);
    expect(layerForHeight(SIMULCAST, 200)).toBe(0); // 180 >= 0.9 × 200: a 10 % upscale
    expect(layerForHeight(SIMULCAST, 201)).toBe(1);
    expect(layerForHeight(SIMULCAST, 400)).toBe(1);
    expect(layerForHeight(SIMULCAST, 425)).toBe(2); // a speaker-view tile on a laptop
    expect(layerForHeight(SIMULCAST, 4000)).toBe(2); // nothing is big enough: the best there is
    expect(layerForHeight([{ height: 720 }], 100)).toBe(0);
  });
});

describe('neededHeight', () => {
  it('counts a wide tile by its width, because the video covers it', () => {
    expect(neededHeight({ width: 1600, height: 300 })).toBe(900);
    expect(neededHeight({ width: 300, height: 600 })).toBe(600);
  });
});

describe('chooseLayers', () => {
  it('gives a big tile the top layer and thumbnails the bottom one', () => {
    const [main, thumb] = chooseLayers([
      video('main', { width: 1200, height: 675, visible: true }),
      video('thumb', { width: 192, height: 108, visible: true }),
    ]);
    expect(main).toMatchObject({ spatialLayer: 2, paused: false });
    expect(thumb).toMatchObject({ spatialLayer: 0, paused: false });
  });

  it('pauses tiles that are off-screen, hidden or of no size', () => {
    const choices = chooseLayers([
      video('off', { width: 400, height: 225, visible: false }),
      video('zero', { width: 0, height: 0, visible: true }),
      video('on', { width: 400, height: 225, visible: true }),
    ]);
    expect(choices.map((c) => c.paused)).toEqual([true, true, false]);
  });

  it('starts a video small and running until the receiver says how it shows it', () => {
    expect(chooseLayers([video('new', undefined)])[0]).toMatchObject({ paused: false, spatialLayer: 0 });
  });

  it('ranks priority by area shown, so the biggest tile keeps quality when bandwidth is short', () => {
    const choices = chooseLayers([
      video('small', { width: 200, height: 112, visible: true }),
      video('big', { width: 1280, height: 720, visible: true }),
      video('medium', { width: 640, height: 360, visible: true }),
    ]);
    const priority = Object.fromEntries(choices.map((c) => [c.consumerId, c.priority]));
    expect(priority['big']).toBeGreaterThan(priority['medium']!);
    expect(priority['medium']).toBeGreaterThan(priority['small']!);
    for (const c of choices) expect(c.priority).toBeGreaterThanOrEqual(1);
  });

  it('keeps priorities in mediasoup range however many videos there are', () => {
    const many = Array.from({ length: 300 }, (_, i) => video(`v${i}`, { width: 100 + i, height: 60, visible: true }));
    for (const c of chooseLayers(many)) {
      expect(c.priority).toBeGreaterThanOrEqual(1);
      expect(c.priority).toBeLessThanOrEqual(255);
    }
  });

  it('uses layer 0 for a video sent without simulcast', () => {
    expect(chooseLayers([video('screen', { width: 1600, height: 900, visible: true }, [{ height: 720 }])])[0]!.spatialLayer).toBe(0);
  });
});
