// Which windows of a median filter can have a non-zero median: sign counts by box sums, no sorting.
import type { Dims3 } from '../volume.ts';

/** Sign counts packed in one number: positives in the low 16 bits, negatives above (a window has < 2^16 voxels). */
const NEGATIVE = 1 << 16;

/** The voxels whose median needs computing, and per row (j + ny * k) the first and last of them (-1 if none). */
export interface MedianWork {
  readonly work: Uint8Array;
  readonly rowFirst: Int32Array;
  readonly rowLast: Int32Array;
}

function addPlaneSigns(map: Float32Array, offset: number, counts: Uint32Array, sign: number): void {
  const negative = sign * NEGATIVE;
  for (let q = 0; q < counts.length; q++) {
    const v = map[offset + q];
    if (v > 0) counts[q] += sign;
    else if (v < 0) counts[q] += negative;
  }
}

/**
 * Marks every voxel whose size^3 window (borders reflected by the index maps) may have a non-zero median; the rest
 * have median 0 for sure: sorted, a window is negatives, zeros, positives, so its middle value is a zero unless
 * more than half of it is positive or more than half negative. The counts are box sums kept up to date plane by
 * plane (in z), row by row (in y) and voxel by voxel (in x), each by one slice in and one out.
 */
export function nonZeroMedianWindows(
  map: Float32Array,
  dims: Dims3,
  size: number,
  reflected: readonly [Int32Array, Int32Array, Int32Array],
): MedianWork {
  const [nx, ny, nz] = dims;
  const [xm, ym, zm] = reflected;
  const half = (size * size * size - 1) / 2;
  const area = nx * ny;
  // Uint32: with negatives weighted 2^16, a window of up to 35^3 voxels still fits.
  const planeCounts = new Uint32Array(area);
  const rowCounts = new Uint32Array(nx);
  const work = new Uint8Array(map.length);
  const rowFirst = new Int32Array(ny * nz).fill(-1);
  const rowLast = new Int32Array(ny * nz).fill(-1);
  for (let d = 0; d < size; d++) addPlaneSigns(map, zm[d] * area, planeCounts, 1);
  for (let k = 0; k < nz; k++) {
    if (k > 0 && zm[k - 1] !== zm[k + size - 1]) {
      addPlaneSigns(map, zm[k - 1] * area, planeCounts, -1);
      addPlaneSigns(map, zm[k + size - 1] * area, planeCounts, 1);
    }
    rowCounts.fill(0);
    for (let d = 0; d < size; d++) {
      const src = nx * ym[d];
      for (let x = 0; x < nx; x++) rowCounts[x] += planeCounts[src + x];
    }
    for (let j = 0; j < ny; j++) {
      let any = 0;
      if (j > 0) {
        const out = nx * ym[j - 1];
        const into = nx * ym[j + size - 1];
        for (let x = 0; x < nx; x++) {
          rowCounts[x] += planeCounts[into + x] - planeCounts[out + x];
          any |= rowCounts[x];
        }
      } else {
        for (let x = 0; x < nx; x++) any |= rowCounts[x];
      }
      // Background rows: no non-zero voxel in any of their windows.
      if (any === 0) continue;
      let counts = 0;
      for (let d = 0; d < size; d++) counts += rowCounts[xm[d]];
      const row = j + ny * k;
      const start = nx * row;
      for (let i = 0; i < nx; i++) {
        if (i > 0) counts += rowCounts[xm[i + size - 1]] - rowCounts[xm[i - 1]];
        if ((counts & 0xffff) > half || counts >>> 16 > half) {
          work[start + i] = 1;
          if (rowFirst[row] < 0) rowFirst[row] = i;
          rowLast[row] = i;
        }
      }
    }
  }
  return { work, rowFirst, rowLast };
}
