// The compare strip's slice pixels: the chosen axial slice, anterior at the top, gray on the window, the map over the scan with zeros clear.
import { describe, expect, it } from 'vitest';
import { graySlice, mapOverSlice, type SliceSource } from '../../src/ui/viewer/compareSlice.ts';

const dims = [3, 2, 2] as const;
const at = (i: number, j: number, k: number) => i + dims[0] * (j + dims[1] * k);
/** The pixel (row, column) of a 3-wide RGBA slice. */
const pixel = (pixels: Uint8ClampedArray, row: number, column: number) => [...pixels.subarray((row * 3 + column) * 4, (row * 3 + column) * 4 + 4)];

describe('graySlice', () => {
  it('draws slice k with the highest j on the top row, scaled from window min (black) to max (white)', () => {
    const data = new Float32Array(12);
    data[at(0, 1, 1)] = 10; // top-left of slice 1
    data[at(2, 0, 1)] = 5; // bottom-right
    data[at(0, 0, 0)] = 10; // slice 0: not drawn
    const pixels = graySlice({ data, dims }, 1, { min: 0, max: 10 });
    expect(pixel(pixels, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(pixels, 1, 2)).toEqual([128, 128, 128, 255]);
    expect(pixel(pixels, 1, 0)).toEqual([0, 0, 0, 255]);
  });

  it('clamps a slice index past the volume to its last slice', () => {
    const data = new Float32Array(12);
    data[at(1, 1, 1)] = 1;
    expect(pixel(graySlice({ data, dims }, 7, { min: 0, max: 1 }), 0, 1)[0]).toBe(255);
  });
});

describe('mapOverSlice', () => {
  /** A colormap that is pure red at full alpha above its first entry, and clear there. */
  const lut = new Uint8ClampedArray(256 * 4);
  for (let e = 1; e < 256; e++) lut.set([255, 0, 0, 255], e * 4);
  const base = graySlice({ data: new Float32Array(12).fill(1), dims }, 0, { min: 0, max: 2 });

  it('leaves the scan where the map is 0 and paints the colour of value / window max elsewhere, opaque above the window minimum', () => {
    const map: SliceSource = { data: new Float32Array(12), dims };
    (map.data as Float32Array)[at(0, 1, 0)] = 0.5;
    const pixels = mapOverSlice(base, map, 0, { min: 0.01, max: 1 }, lut, 0.85);
    expect(pixel(pixels, 0, 1)).toEqual(pixel(base, 0, 1));
    expect(pixel(pixels, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(base, 0, 0)).toEqual([128, 128, 128, 255]); // the base is not changed
  });

  it('fades values below the window minimum by (value / minimum)^2 times the opacity, as NiiVue does', () => {
    const data = new Float32Array(12).fill(0.005);
    const pixels = mapOverSlice(base, { data, dims }, 0, { min: 0.01, max: 1 }, lut, 0.8);
    const alpha = 0.25 * 0.8;
    expect(pixel(pixels, 1, 1)).toEqual([Math.round(128 * (1 - alpha) + 255 * alpha), Math.round(128 * (1 - alpha)), Math.round(128 * (1 - alpha)), 255]);
  });
});
