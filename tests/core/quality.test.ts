// Quality maps (SPEC 4) against the float64 numpy/scipy reference in tests/fixtures/quality.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fqMap,
  gaussianFilterSlice,
  gaussianWindow,
  gaussianWindow1D,
  l1Map,
  ssimFromMoments,
  ssimLossFromSsim,
  ssimLossMap,
  ssimMap,
} from '../../src/core/quality/index.ts';
import type { Dims3 } from '../../src/core/volume.ts';
import { seededRandom } from '../support/seededRandom.ts';
import { maxAbsDiff } from '../support/closeness.ts';

const dir = new URL('../fixtures/quality/', import.meta.url);

interface QualityCase {
  name: string;
  dims: [number, number, number];
  params: { alphas: number[] };
  files: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as { cases: QualityCase[] };

function f32(file: string): Float32Array {
  return new Float32Array(new Uint8Array(readFileSync(new URL(file, dir))).buffer);
}


describe('gaussianWindow', () => {
  it('matches the reference 5 x 5, sigma 1.5 window and sums to 1', () => {
    const ref = JSON.parse(readFileSync(new URL('window.json', dir), 'utf8')) as { window2d: number[] };
    const w = gaussianWindow();
    expect(w.length).toBe(25);
    expect(maxAbsDiff(w, ref.window2d)).toBeLessThan(1e-15);
    expect(w.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    expect(gaussianWindow1D().reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
  });

  it('rejects even sizes and non-positive sigma', () => {
    expect(() => gaussianWindow(4)).toThrow(RangeError);
    expect(() => gaussianWindow(5, 0)).toThrow(RangeError);
  });
});

describe.each(manifest.cases.map((c) => [c.name, c] as const))('quality maps: %s', (_name, c) => {
  const dims = c.dims as Dims3;
  const x = f32(c.files.x);
  const y = f32(c.files.y);

  it('ssimLossMap matches the float64 reference within 1e-5', () => {
    expect(maxAbsDiff(ssimLossMap(x, y, dims), f32(c.files.ssimLoss))).toBeLessThan(1e-5);
  });

  it('l1Map matches |x - y|', () => {
    expect(maxAbsDiff(l1Map(x, y), f32(c.files.l1))).toBeLessThan(1e-6);
  });

  it.each(c.params.alphas.map((a, i) => [a, i]))('fqMap at alpha %f matches within 1e-5', (alpha, i) => {
    const fq = fqMap(ssimLossMap(x, y, dims), l1Map(x, y), alpha);
    expect(maxAbsDiff(fq, f32(c.files[`fq${i}`]))).toBeLessThan(1e-5);
  });
});

describe('ssim edge cases', () => {
  it('identical constant images have zero loss everywhere, including the zero-padded rim', () => {
    const c = new Float32Array(9 * 7 * 2).fill(0.5);
    expect(Math.max(...ssimLossMap(c, c, [9, 7, 2]))).toBe(0);
  });

  it('ssimMap is 1 for identical images and consistent with the loss', () => {
    const rng = seededRandom(7);
    const x = Float32Array.from({ length: 6 * 5 * 2 }, rng);
    const y = Float32Array.from({ length: 6 * 5 * 2 }, rng);
    expect(maxAbsDiff(ssimMap(x, x, [6, 5, 2]), new Float32Array(60).fill(1))).toBeLessThan(1e-6);
    const s = ssimMap(x, y, [6, 5, 2]);
    const loss = ssimLossMap(x, y, [6, 5, 2]);
    for (let p = 0; p < s.length; p++) expect(loss[p]).toBeCloseTo(ssimLossFromSsim(s[p]), 6);
  });

  it('building blocks reproduce ssimMap at one pixel', () => {
    const rng = seededRandom(3);
    const [nx, ny] = [8, 6];
    const x = Float32Array.from({ length: nx * ny }, rng);
    const y = Float32Array.from({ length: nx * ny }, rng);
    const mx = gaussianFilterSlice(x, nx, ny);
    const my = gaussianFilterSlice(y, nx, ny);
    const exx = gaussianFilterSlice(x.map((v) => v * v), nx, ny);
    const eyy = gaussianFilterSlice(y.map((v) => v * v), nx, ny);
    const exy = gaussianFilterSlice(Float64Array.from(x, (v, p) => v * y[p]), nx, ny);
    const s = ssimMap(x, y, [nx, ny, 1]);
    for (const p of [0, 13, 47]) {
      expect(ssimFromMoments(mx[p], my[p], exx[p], eyy[p], exy[p])).toBeCloseTo(s[p], 6);
    }
  });

  it('clamps the loss to [0, 0.5]', () => {
    expect(ssimLossFromSsim(1.2)).toBe(0);
    expect(ssimLossFromSsim(-1.5)).toBe(0.5);
    expect(ssimLossFromSsim(0.5)).toBe(0.25);
  });

  it('rejects mismatched inputs and grids', () => {
    expect(() => ssimLossMap(new Float32Array(4), new Float32Array(5), [2, 2, 1])).toThrow(RangeError);
    expect(() => ssimLossMap(new Float32Array(4), new Float32Array(4), [2, 3, 1])).toThrow(RangeError);
    expect(() => l1Map(new Float32Array(4), new Float32Array(3))).toThrow(RangeError);
  });
});

describe('fqMap', () => {
  it('validates alpha', () => {
    const a = new Float32Array(3);
    for (const alpha of [-0.01, 1.01, Number.NaN]) expect(() => fqMap(a, a, alpha)).toThrow(RangeError);
  });

  it('writes into out when given and returns it', () => {
    const s = Float32Array.of(0.5, 0, 0.25);
    const l = Float32Array.of(0, 1, 0.5);
    const out = new Float32Array(3);
    expect(fqMap(s, l, 0.5, out)).toBe(out);
    expect(Array.from(out)).toEqual([0.25, 0.5, 0.375]);
    expect(() => fqMap(s, l, 0.5, new Float32Array(2))).toThrow(RangeError);
  });
});

