// The map display window: twice the threshold when one applies, else the 99th percentile of the brain's values.
import { describe, expect, it } from 'vitest';
import { mapWindow, quantileInMask } from '../../src/ui/viewer/mapWindow.ts';

describe('mapWindow', () => {
  const values = Float32Array.from({ length: 200 }, (_, i) => i / 100); // 0 .. 1.99
  const mask = Uint8Array.from({ length: 200 }, (_, i) => (i < 101 ? 1 : 0)); // brain: values 0 .. 1

  it('ends at twice the threshold when one was chosen for the map', () => {
    expect(mapWindow(values, mask, { value: 0.2, source: 'validation-search' })).toEqual({ min: 0, max: 0.4, basis: '2 × threshold 0.200 (validation-search)' });
  });

  it('else ends at the 99th percentile inside the brain, ignoring the bright background', () => {
    const window = mapWindow(values, mask, null);
    expect(window.max).toBeCloseTo(0.99, 6);
    expect(window.basis).toBe('99th percentile inside the brain');
  });

  it('never gives an empty window', () => {
    expect(mapWindow(new Float32Array(4), new Uint8Array(4), null).max).toBe(1);
    expect(quantileInMask([5, 6], [0, 0], 0.5)).toBe(0);
  });
});
