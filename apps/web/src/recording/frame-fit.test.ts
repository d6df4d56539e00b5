import { describe, expect, it } from 'vitest';
import { coverSource, fitRect } from './frame-fit.js';

const box = { x: 100, y: 50, width: 320, height: 180 };

describe('fitRect', () => {
  it('covers the tile with a 4:3 camera, cropping top and bottom, centred', () => {
    const r = fitRect(640, 480, box, 'cover');
    expect(r.width).toBe(320);
    expect(r.height).toBe(240);
    expect(r.x).toBe(100);
    expect(r.y).toBe(50 - 30);
  });

  it('shows a tall screen whole, with bars left and right', () => {
    const r = fitRect(1000, 2000, box, 'contain');
    expect(r.height).toBe(180);
    expect(r.width).toBe(90);
    expect(r.x).toBe(100 + (320 - 90) / 2);
    expect(r.y).toBe(50);
  });

  it('fills the box exactly when the shapes match, and keeps the box for a frame of no size', () => {
    expect(fitRect(1280, 720, box, 'contain')).toEqual(box);
    expect(fitRect(1280, 720, box, 'cover')).toEqual(box);
    expect(fitRect(0, 0, box, 'cover')).toEqual(box);
  });
});

describe('coverSource', () => {
  it('crops a 4:3 frame to the 16:9 middle band', () => {
    expect(coverSource(640, 480, box)).toEqual({ x: 0, y: 60, width: 640, height: 360 });
  });

  it('crops a tall frame to its middle, and takes all of a frame of the same shape', () => {
    expect(coverSource(720, 1280, { x: 0, y: 0, width: 100, height: 100 })).toEqual({ x: 0, y: 280, width: 720, height: 720 });
    expect(coverSource(1280, 720, box)).toEqual({ x: 0, y: 0, width: 1280, height: 720 });
    expect(coverSource(0, 0, box)).toEqual({ x: 0, y: 0, width: 0, height: 0 });
  });
});
