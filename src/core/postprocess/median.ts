// 3D median filter of an anomaly map (SPEC 5.2), fast enough to rerun on every alpha-slider move.
import type { Dims3 } from '../volume.ts';
import { assertGridLength } from '../quality/gridCheck.ts';

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

/**
 * For each voxel, (count of positive values) + (n + 1) * (count of negative values) in its window:
 * enough to know without sorting that the median is 0 (the background of a masked map).
 */
function signCounts(map: Float32Array, dims: Dims3, size: number, maps: Int32Array[]): Int32Array {
  const [nx, ny, nz] = dims;
  const [xm, ym, zm] = maps;
  const negWeight = size * size * size + 1;
  let a = new Int32Array(map.length);
  for (let p = 0; p < map.length; p++) a[p] = map[p] > 0 ? 1 : map[p] < 0 ? negWeight : 0;
  let b = new Int32Array(map.length);
  // Three 1D box sums with reflected borders: along i, then j, then k.
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = nx * (j + ny * k);
      for (let i = 0; i < nx; i++) {
        let s = 0;
        for (let d = 0; d < size; d++) s += a[row + xm[i + d]];
        b[row + i] = s;
      }
    }
  }
  [a, b] = [b, a];
  b.fill(0);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = nx * (j + ny * k);
      for (let d = 0; d < size; d++) {
        const src = nx * (ym[j + d] + ny * k);
        for (let i = 0; i < nx; i++) b[row + i] += a[src + i];
      }
    }
  }
  [a, b] = [b, a];
  b.fill(0);
  for (let k = 0; k < nz; k++) {
    const slab = nx * ny * k;
    for (let d = 0; d < size; d++) {
      const src = nx * ny * zm[k + d];
      for (let q = 0; q < nx * ny; q++) b[slab + q] += a[src + q];
    }
  }
  return b;
}

/** Distinct values of the map in ascending order, and each voxel's index into them (its dense rank). */
interface RankedValues {
  readonly values: Float32Array;
  readonly rankOf: Int32Array;
}

/** Maps float32 bit patterns to unsigned keys that sort like the numbers (negatives flipped). */
function orderedKey(bits: number): number {
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

/**
 * Dense ranks by an LSD radix sort of the non-zero values' keys (3 passes of 11 bits): linear time and
 * no comparisons, so ranking the whole map costs a few milliseconds. Zeros (the masked background)
 * are ranked as one value without entering the sort.
 */
function rankValues(map: Float32Array): RankedValues {
  const bits = new Uint32Array(map.buffer, map.byteOffset, map.length);
  let nonZero = 0;
  for (let p = 0; p < map.length; p++) {
    const v = map[p];
    if (v - v !== 0) throw new RangeError(`medianFilter3D: the map must be finite, found ${v} at index ${p}`);
    if (v !== 0) nonZero++;
  }
  let keys = new Uint32Array(nonZero);
  let index = new Int32Array(nonZero);
  const histograms = new Int32Array(3 * 2048);
  for (let p = 0, n = 0; p < map.length; p++) {
    if (map[p] === 0) continue;
    const key = orderedKey(bits[p]);
    keys[n] = key;
    index[n++] = p;
    histograms[key & 2047]++;
    histograms[2048 + ((key >>> 11) & 2047)]++;
    histograms[4096 + (key >>> 22)]++;
  }
  let keysTmp = new Uint32Array(nonZero);
  let indexTmp = new Int32Array(nonZero);
  for (let pass = 0; pass < 3; pass++) {
    const shift = 11 * pass;
    const offsets = histograms.subarray(2048 * pass, 2048 * (pass + 1));
    // A digit every key shares would not reorder anything.
    if (offsets.includes(nonZero)) continue;
    let offset = 0;
    for (let d = 0; d < 2048; d++) {
      const c = offsets[d];
      offsets[d] = offset;
      offset += c;
    }
    for (let t = 0; t < nonZero; t++) {
      const key = keys[t];
      const dst = offsets[(key >>> shift) & 2047]++;
      keysTmp[dst] = key;
      indexTmp[dst] = index[t];
    }
    [keys, keysTmp] = [keysTmp, keys];
    [index, indexTmp] = [indexTmp, index];
  }

  const hasZero = nonZero < map.length;
  const values = new Float32Array(nonZero + (hasZero ? 1 : 0));
  const rankOf = new Int32Array(map.length);
  const zeroKey = 0x80000000;
  let rank = -1;
  let zeroRank = -1;
  let previous = -1;
  for (let t = 0; t < nonZero; t++) {
    const key = keys[t];
    if (hasZero && zeroRank < 0 && key > zeroKey) {
      zeroRank = ++rank;
      values[rank] = 0;
    }
    const p = index[t];
    if (key !== previous) {
      values[++rank] = map[p];
      previous = key;
    }
    rankOf[p] = rank;
  }
  if (hasZero) {
    if (zeroRank < 0) {
      zeroRank = ++rank;
      values[rank] = 0;
    }
    for (let p = 0; p < map.length; p++) if (map[p] === 0) rankOf[p] = zeroRank;
  }
  return { values: values.subarray(0, rank + 1), rankOf };
}

/**
 * Counts of the window's ranks at three resolutions (1, 64 and 4096 ranks per bin), so the k-th
 * smallest is found with at most three short scans and a voxel moves in or out with three increments.
 */
interface RankHistogram {
  readonly fine: Uint16Array;
  readonly mid: Uint16Array;
  readonly coarse: Uint16Array;
}

function makeHistogram(ranks: number): RankHistogram {
  const coarse = new Uint16Array((ranks >> 12) + 1);
  return { coarse, mid: new Uint16Array(coarse.length << 6), fine: new Uint16Array(coarse.length << 12) };
}

/** Adds (delta 1) or removes (delta -1) the size*size voxels of one window column at source x. */
function updateColumn(h: RankHistogram, rankOf: Int32Array, rowOffsets: Int32Array, x: number, delta: number): void {
  const { fine, mid, coarse } = h;
  for (let w = 0; w < rowOffsets.length; w++) {
    const r = rankOf[rowOffsets[w] + x];
    fine[r] += delta;
    mid[r >> 6] += delta;
    coarse[r >> 12] += delta;
  }
}

/** Slides the window one column: removes the voxels of source column xOut and adds those of xIn. */
function swapColumns(h: RankHistogram, rankOf: Int32Array, rowOffsets: Int32Array, xOut: number, xIn: number): void {
  const { fine, mid, coarse } = h;
  for (let w = 0; w < rowOffsets.length; w++) {
    const ro = rowOffsets[w];
    const a = rankOf[ro + xOut];
    const b = rankOf[ro + xIn];
    fine[a]--;
    mid[a >> 6]--;
    coarse[a >> 12]--;
    fine[b]++;
    mid[b >> 6]++;
    coarse[b >> 12]++;
  }
}

/** Rank of the k-th smallest (0-based) voxel in the histogram. */
function kthRank(h: RankHistogram, k: number): number {
  const { fine, mid, coarse } = h;
  let need = k;
  let b = 0;
  while (need >= coarse[b]) need -= coarse[b++];
  b <<= 6;
  while (need >= mid[b]) need -= mid[b++];
  b <<= 6;
  while (need >= fine[b]) need -= fine[b++];
  return b;
}

/**
 * Median over a size^3 window of every voxel, borders as scipy.ndimage's default mode 'reflect':
 * scipy.ndimage.median_filter(map, size=size). The result is always one of the input values.
 * `map` must be finite; size must be odd (1 copies the map).
 *
 * Why it is fast: windows whose median is provably 0 (masked background) are skipped via box-counted
 * signs. Elsewhere values are replaced by their rank among the map's distinct values once, and a
 * multi-resolution rank histogram slides along each row (Huang's method): each step swaps one
 * size^2 column out and one in, and the median is read off the histogram without sorting.
 * @example const smooth = medianFilter3D(fq, [96, 96, 50]);
 */
export function medianFilter3D(map: Float32Array, dims: Dims3, size = 5): Float32Array {
  assertGridLength(map.length, dims, 'medianFilter3D');
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0 || size > 35) {
    throw new RangeError(`medianFilter3D: size must be an odd integer in [1, 35], got ${size}`);
  }
  if (size === 1) return map.slice();
  const { values, rankOf } = rankValues(map);
  const [nx, ny, nz] = dims;
  const r = (size - 1) / 2;
  const windowSize = size * size * size;
  const medianRank = (windowSize - 1) / 2;
  const maps = [reflectIndices(nx, r), reflectIndices(ny, r), reflectIndices(nz, r)];
  const [xm, ym, zm] = maps;
  const counts = signCounts(map, dims, size, maps);
  const negWeight = windowSize + 1;
  const hist = makeHistogram(values.length);

  const out = new Float32Array(map.length);
  const rowOffsets = new Int32Array(size * size);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      let t = 0;
      for (let dz = 0; dz < size; dz++) {
        for (let dy = 0; dy < size; dy++) rowOffsets[t++] = nx * (ym[j + dy] + ny * zm[k + dz]);
      }
      const row = nx * (j + ny * k);
      // Window position held in the histogram: padded x columns [at, at + size), or -1 when empty.
      let at = -1;
      for (let i = 0; i < nx; i++) {
        const c = counts[row + i];
        const positives = c % negWeight;
        // Median provably 0 (out already holds 0): no histogram work for the background.
        if (positives <= medianRank && (c - positives) / negWeight <= medianRank) continue;
        if (at >= 0 && i - at <= size) {
          for (; at < i; at++) swapColumns(hist, rankOf, rowOffsets, xm[at], xm[at + size]);
        } else {
          if (at >= 0) for (let d = 0; d < size; d++) updateColumn(hist, rankOf, rowOffsets, xm[at + d], -1);
          for (let d = 0; d < size; d++) updateColumn(hist, rankOf, rowOffsets, xm[i + d], 1);
          at = i;
        }
        out[row + i] = values[kthRank(hist, medianRank)];
      }
      if (at >= 0) for (let d = 0; d < size; d++) updateColumn(hist, rankOf, rowOffsets, xm[at + d], -1);
    }
  }
  return out;
}
