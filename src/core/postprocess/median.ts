// 3D median filter of an anomaly map (SPEC 5.2), fast enough to rerun on every alpha-slider move.
import { PAPER_PROTOCOL } from '../protocol.ts';
import type { Dims3 } from '../volume.ts';
import { assertGridLength } from '../quality/gridCheck.ts';
import { BlockMedian, type MedianBlocks } from './medianBlock.ts';
import { nonZeroMedianWindows } from './medianZeros.ts';
import { medianWasmAvailable, WasmBlockMedian } from './medianWasm.ts';

/** How the blocks are filtered: the WebAssembly SIMD kernel, or BlockMedian in JavaScript (same bits; the fallback). */
export type MedianKernel = 'wasm-simd' | 'js';

/** The WebAssembly SIMD kernel where the runtime has it (about 2x faster in Node on the 2-core VM), else JavaScript. */
export function preferredMedianKernel(): MedianKernel {
  return medianWasmAvailable() ? 'wasm-simd' : 'js';
}

/**
 * Source index for each padded coordinate q = c + r, c in [-r, n + r), under scipy's 'reflect' mode
 * (half-sample symmetric: d c b a | a b c d | d c b a), repeated for axes shorter than r.
 */
export function reflectIndices(n: number, r: number): Int32Array {
  const period = 2 * n;
  const idx = new Int32Array(n + 2 * r);
  for (let q = 0; q < idx.length; q++) {
    let m = (((q - r) % period) + period) % period;
    if (m >= n) m = period - 1 - m;
    idx[q] = m;
  }
  return idx;
}

function assertFinite(map: Float32Array): void {
  for (let p = 0; p < map.length; p++) {
    const v = map[p];
    if (v - v !== 0) throw new RangeError(`medianFilter3D: the map must be finite, found ${v} at index ${p}`);
  }
}

/** Output block side along x, y and z: its input region is sorted once and shared by all its windows. */
const BLOCK: Dims3 = [16, 8, 8];

/**
 * Median over a size^3 window of every voxel, borders as scipy.ndimage's default mode 'reflect':
 * scipy.ndimage.median_filter(map, size=size). The result is always one of the input values (+0 for zeros).
 * `map` must be finite; size must be odd (1 copies the map).
 *
 * Why it is fast: windows whose median is provably 0 (masked background) are skipped via box-counted signs.
 * The rest is filtered block by block (BlockMedian: one sort per block, then column counts and bitsets), each block
 * cut down to the box around its voxels that need a median; `kernel` runs the blocks in WebAssembly SIMD
 * (medianWasm.ts, the default where available) or in JavaScript, with the same result to the bit.
 * @example const smooth = medianFilter3D(fq, [96, 96, 50]);
 */
export function medianFilter3D(
  map: Float32Array,
  dims: Dims3,
  size = PAPER_PROTOCOL.postprocess.medianSize,
  kernel: MedianKernel = preferredMedianKernel(),
): Float32Array {
  assertGridLength(map.length, dims, 'medianFilter3D');
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0 || size > 35) {
    throw new RangeError(`medianFilter3D: size must be an odd integer in [1, 35], got ${size}`);
  }
  if (size === 1) return map.slice();
  assertFinite(map);
  const [nx, ny, nz] = dims;
  const r = (size - 1) / 2;
  const reflected = [reflectIndices(nx, r), reflectIndices(ny, r), reflectIndices(nz, r)] as const;
  const blocks: MedianBlocks =
    kernel === 'js' ? new BlockMedian(map, nonZeroMedianWindows(map, dims, size, reflected), dims, size, reflected, BLOCK) : new WasmBlockMedian(map, dims, size, reflected, BLOCK);
  const { rowFirst, rowLast } = blocks;
  const [bx, by, bz] = BLOCK;
  for (let z0 = 0; z0 < nz; z0 += bz) {
    for (let y0 = 0; y0 < ny; y0 += by) {
      for (let x0 = 0; x0 < nx; x0 += bx) {
        // The box around this block's voxels that need a median, from each row's first and last such voxel.
        let x1 = x0 + bx;
        let y1 = ny;
        let z1 = nz;
        let x2 = -1;
        let y2 = -1;
        let z2 = -1;
        for (let z = z0; z < z0 + bz && z < nz; z++) {
          for (let y = y0; y < y0 + by && y < ny; y++) {
            const first = Math.max(rowFirst[y + ny * z], x0);
            const last = Math.min(rowLast[y + ny * z], x0 + bx - 1, nx - 1);
            if (first > last) continue;
            x1 = Math.min(x1, first);
            x2 = Math.max(x2, last);
            y1 = Math.min(y1, y);
            y2 = Math.max(y2, y);
            z1 = Math.min(z1, z);
            z2 = z;
          }
        }
        if (x2 >= 0) blocks.filter(x1, y1, z1, x2 - x1 + 1, y2 - y1 + 1, z2 - z1 + 1);
      }
    }
  }
  return blocks.result();
}
