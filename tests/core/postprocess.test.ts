// Post-processing (SPEC 5.1, 5.2, 5.5) against scipy.ndimage references in tests/fixtures/postprocess.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  connectedComponents26,
  erodeMask2D,
  keptForegroundCounts,
  medianFilter3D,
  preferredMedianKernel,
  postprocessMap,
  reflectIndices,
  removeSmallComponents,
} from '../../src/core/postprocess/index.ts';
import type { Dims3 } from '../../src/core/volume.ts';
import { seededRandom } from '../support/seededRandom.ts';
import { maxAbsDiff } from '../support/closeness.ts';

const dir = new URL('../fixtures/postprocess/', import.meta.url);

interface PostprocessCase {
  name: string;
  dims: [number, number, number];
  params: {
    kind: 'erosion' | 'median' | 'components' | 'pipeline';
    iterations?: number;
    size?: number;
    sizes?: number[];
    erosionIterations?: number;
    medianSize?: number;
  };
  files: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as { cases: PostprocessCase[] };

function bytes(file: string): ArrayBuffer {
  return new Uint8Array(readFileSync(new URL(file, dir))).buffer;
}
const f32 = (file: string): Float32Array => new Float32Array(bytes(file));
const u8 = (file: string): Uint8Array => new Uint8Array(bytes(file));
const i32 = (file: string): Int32Array => new Int32Array(bytes(file));

function casesOf(kind: PostprocessCase['params']['kind']): (readonly [string, PostprocessCase])[] {
  const cases = manifest.cases.filter((c) => c.params.kind === kind);
  expect(cases.length).toBeGreaterThan(0);
  return cases.map((c) => [c.name, c] as const);
}


describe('erodeMask2D matches scipy binary_erosion per slice', () => {
  it.each(casesOf('erosion'))('%s', (_name, c) => {
    const got = erodeMask2D(u8(c.files.mask), c.dims as Dims3, c.params.iterations);
    expect(Array.from(got)).toEqual(Array.from(u8(c.files.expected)));
  });

  it('treats any non-zero value as brain and iterations 0 as no erosion', () => {
    const mask = Float32Array.of(0, 0.3, 2, -1);
    expect(Array.from(erodeMask2D(mask, [2, 2, 1], 0))).toEqual([0, 1, 1, 1]);
    expect(() => erodeMask2D(mask, [2, 2, 1], -1)).toThrow(RangeError);
    expect(() => erodeMask2D(mask, [3, 2, 1])).toThrow(RangeError);
  });
});

describe.each(['wasm-simd', 'js'] as const)('medianFilter3D (%s kernel) matches scipy median_filter (mode reflect), exactly', (kernel) => {
  // The median_blocks_* cases span several of the filter's blocks, with partial blocks, ties, zeros and both signs.
  it.each(casesOf('median'))('%s, bit for bit', (_name, c) => {
    const got = medianFilter3D(f32(c.files.input), c.dims as Dims3, c.params.size, kernel);
    expect(Array.from(new Uint32Array(got.buffer))).toEqual(Array.from(new Uint32Array(bytes(c.files.expected))));
  });

  it('agrees with a sort-per-voxel median on a sparse brain-like map with ties and a hot spot', () => {
    const dims: Dims3 = [23, 19, 11];
    const rng = seededRandom(11);
    const map = new Float32Array(dims[0] * dims[1] * dims[2]);
    for (let k = 0; k < dims[2]; k++) {
      for (let j = 0; j < dims[1]; j++) {
        for (let i = 0; i < dims[0]; i++) {
          const inside = ((i - 11) / 9) ** 2 + ((j - 9) / 8) ** 2 + ((k - 5) / 5) ** 2 <= 1;
          // Quantised values force ties; a hot blob makes the median jump between neighbours.
          const hot = (i - 14) ** 2 + (j - 8) ** 2 < 10 ? 5 : 0;
          map[i + dims[0] * (j + dims[1] * k)] = inside ? Math.round(rng() * 20) / 20 + hot : 0;
        }
      }
    }
    expect(maxAbsDiff(medianFilter3D(map, dims, 5, kernel), naiveMedian(map, dims, 5))).toBe(0);
  });

  it.each([
    ['dense, no zeros, negatives', [9, 8, 7] as Dims3, (r: () => number) => r() * 200 - 100],
    ['signed zeros and duplicates', [11, 6, 5] as Dims3, (r: () => number) => [-0, 0, 1, -1, 1e-30, -1e30][Math.floor(r() * 6)]],
    ['a single slice', [13, 4, 1] as Dims3, (r: () => number) => Math.floor(r() * 3)],
    ['several blocks, sparse, signed zeros', [19, 11, 10] as Dims3, (r: () => number) => (r() < 0.5 ? -0 : Math.round(r() * 8) / 8)],
  ])('agrees with a sort-per-voxel median: %s', (_label, dims, draw) => {
    const rng = seededRandom(5);
    const map = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, () => draw(rng));
    expect(maxAbsDiff(medianFilter3D(map, dims, 5, kernel), naiveMedian(map, dims, 5))).toBe(0);
    expect(maxAbsDiff(medianFilter3D(map, dims, 3, kernel), naiveMedian(map, dims, 3))).toBe(0);
  });

  it('refuses non-finite maps', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => medianFilter3D(Float32Array.of(0, bad, 1), [3, 1, 1], 5, kernel)).toThrow(RangeError);
    }
  });

  it('copies for size 1 and rejects even or invalid sizes', () => {
    const map = Float32Array.of(1, 2, 3);
    const same = medianFilter3D(map, [3, 1, 1], 1, kernel);
    expect(Array.from(same)).toEqual([1, 2, 3]);
    expect(same).not.toBe(map);
    for (const size of [0, 2, 4, 3.5, 37]) expect(() => medianFilter3D(map, [3, 1, 1], size, kernel)).toThrow(RangeError);
  });

});

describe('medianFilter3D kernels', () => {
  it('reflects as scipy: d c b a | a b c d | d c b a, repeated for short axes', () => {
    expect(Array.from(reflectIndices(4, 2))).toEqual([1, 0, 0, 1, 2, 3, 3, 2]);
    expect(Array.from(reflectIndices(1, 2))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(reflectIndices(2, 3))).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
  });

  it('runs the WebAssembly SIMD kernel in Node by default, and it gives the JavaScript kernel\'s bits on a large sparse map', () => {
    expect(preferredMedianKernel()).toBe('wasm-simd');
    // Several blocks in every direction, 7^3 windows (larger block scratch), ties, zeros and both signs.
    const dims: Dims3 = [37, 29, 21];
    const rng = seededRandom(3);
    const map = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, () => (rng() < 0.3 ? 0 : Math.round((rng() - 0.2) * 64) / 16));
    for (const size of [5, 7]) {
      const wasm = medianFilter3D(map, dims, size, 'wasm-simd');
      const js = medianFilter3D(map, dims, size, 'js');
      expect(Array.from(new Uint32Array(wasm.buffer))).toEqual(Array.from(new Uint32Array(js.buffer)));
    }
  });
});

describe('connectedComponents26 matches scipy label with a 3x3x3 structure', () => {
  it.each(casesOf('components'))('%s', (_name, c) => {
    const binary = u8(c.files.binary);
    const { labels, sizes } = connectedComponents26(binary, c.dims as Dims3);
    expect(Array.from(labels)).toEqual(Array.from(i32(c.files.labels)));
    expect(sizes).toEqual(c.params.sizes);
    expect(Array.from(removeSmallComponents(binary, c.dims as Dims3))).toEqual(Array.from(u8(c.files.kept)));
  });

  it('removes exactly 7 voxels, keeps 8, and joins corner-only neighbours', () => {
    const dims: Dims3 = [10, 4, 8];
    const at = (i: number, j: number, k: number): number => i + 10 * (j + 4 * k);
    const b = new Uint8Array(10 * 4 * 8);
    for (let i = 0; i < 7; i++) b[at(i, 0, 0)] = 1; // 7 in a row
    for (let i = 0; i < 8; i++) b[at(i, 0, 3)] = 1; // 8 in a row
    for (let t = 0; t < 4; t++) b[at(t, 1 + (t % 2), 6 + (t % 2))] = 1; // 4 touching at edges and corners
    const { sizes } = connectedComponents26(b, dims);
    expect(sizes.slice(1)).toEqual([7, 8, 4]);
    const kept = removeSmallComponents(b, dims);
    expect(kept.reduce((s, v) => s + v, 0)).toBe(8);
    expect(kept[at(0, 0, 3)]).toBe(1);
    expect(removeSmallComponents(b, dims, 3).reduce((s, v) => s + v, 0)).toBe(19);
    expect(() => removeSmallComponents(b, dims, -1)).toThrow(RangeError);
  });
});

describe('keptForegroundCounts: the counts of removeSmallComponents(binarize(...)) without the volumes', () => {
  const countsOf = (kept: Uint8Array, labels: Uint8Array): { predicted: number; truePositives: number } => {
    let predicted = 0;
    let truePositives = 0;
    for (let p = 0; p < kept.length; p++) {
      predicted += kept[p];
      truePositives += kept[p] & labels[p];
    }
    return { predicted, truePositives };
  };

  it('equals the volume path on random maps of several grids in a row (its reused buffers carry nothing over)', () => {
    const random = seededRandom(11);
    for (const dims of [[13, 9, 7], [5, 4, 3], [17, 11, 6], [13, 9, 7]] as Dims3[]) {
      const n = dims[0] * dims[1] * dims[2];
      const scores = Float32Array.from({ length: n }, () => random());
      const labels = Uint8Array.from({ length: n }, () => (random() < 0.3 ? 1 : 0));
      for (const threshold of [0.2, 0.75, 0.9, 0.97]) {
        for (const maxRemoved of [0, 3, 7]) {
          const kept = removeSmallComponents(Uint8Array.from(scores, (v) => (v > threshold ? 1 : 0)), dims, maxRemoved);
          expect(keptForegroundCounts(scores, threshold, labels, dims, maxRemoved)).toEqual(countsOf(kept, labels));
        }
      }
    }
  });

  it('refuses a bad component size and a map off its grid', () => {
    const dims: Dims3 = [2, 2, 2];
    expect(() => keptForegroundCounts(new Float32Array(8), 0, new Uint8Array(8), dims, -1)).toThrow(RangeError);
    expect(() => keptForegroundCounts(new Float32Array(7), 0, new Uint8Array(8), dims)).toThrow();
  });
});

describe('postprocessMap = map * eroded mask, then median (scipy pipeline)', () => {
  it.each(casesOf('pipeline'))('%s', (_name, c) => {
    const got = postprocessMap(f32(c.files.map), u8(c.files.mask), c.dims as Dims3, {
      erosionIterations: c.params.erosionIterations,
      medianSize: c.params.medianSize,
    });
    expect(maxAbsDiff(got, f32(c.files.expected))).toBe(0);
  });

  it('uses the reference defaults (3 erosions, 5^3 median)', () => {
    const c = manifest.cases.find((x) => x.name === 'pipeline_e3_m5');
    if (!c) throw new Error('fixture pipeline_e3_m5 missing');
    const got = postprocessMap(f32(c.files.map), u8(c.files.mask), c.dims as Dims3);
    expect(maxAbsDiff(got, f32(c.files.expected))).toBe(0);
  });

  it('gives an all-zero map for an empty brain mask and rejects bad options', () => {
    const map = new Float32Array(6 * 6 * 2).fill(0.7);
    expect(Math.max(...postprocessMap(map, new Uint8Array(72), [6, 6, 2]))).toBe(0);
    expect(() => postprocessMap(map, new Uint8Array(72), [6, 6, 2], { medianSize: 4 })).toThrow(RangeError);
    expect(() => postprocessMap(map, new Uint8Array(71), [6, 6, 2])).toThrow(RangeError);
  });
});

/** Sort-per-voxel median with scipy 'reflect' borders: slow and obviously right. */
function naiveMedian(map: Float32Array, dims: Dims3, size: number): Float32Array {
  const [nx, ny, nz] = dims;
  const r = (size - 1) / 2;
  const reflect = (c: number, n: number): number => {
    let m = ((c % (2 * n)) + 2 * n) % (2 * n);
    if (m >= n) m = 2 * n - 1 - m;
    return m;
  };
  const out = new Float32Array(map.length);
  const w: number[] = [];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        w.length = 0;
        for (let dz = -r; dz <= r; dz++) {
          for (let dy = -r; dy <= r; dy++) {
            for (let dx = -r; dx <= r; dx++) {
              w.push(map[reflect(i + dx, nx) + nx * (reflect(j + dy, ny) + ny * reflect(k + dz, nz))]);
            }
          }
        }
        w.sort((a, b) => a - b);
        out[i + nx * (j + ny * k)] = w[(w.length - 1) / 2];
      }
    }
  }
  return out;
}

