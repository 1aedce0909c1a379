// Where to look first in a case: the axial slice with the most lesion voxels, at the lesion voxel nearest its centre.

export interface LesionFocus {
  /** Voxel indices [i, j, k] inside the lesion. */
  voxel: [number, number, number];
  /** Lesion voxels in slice k. */
  sliceVoxels: number;
}

/** The focus for a label volume (x fastest, non-zero = lesion), or null when it holds no lesion. */
export function largestLesionSlice(labels: ArrayLike<number>, dims: readonly [number, number, number]): LesionFocus | null {
  const [nx, ny, nz] = dims;
  const size = nx * ny;
  let bestK = -1;
  let bestCount = 0;
  for (let k = 0; k < nz; k++) {
    let count = 0;
    for (let p = k * size; p < (k + 1) * size; p++) if (labels[p] !== 0) count++;
    if (count > bestCount) {
      bestCount = count;
      bestK = k;
    }
  }
  if (bestK < 0) return null;
  let sumI = 0;
  let sumJ = 0;
  for (let p = 0; p < size; p++) {
    if (labels[bestK * size + p] === 0) continue;
    sumI += p % nx;
    sumJ += Math.floor(p / nx);
  }
  const [ci, cj] = [sumI / bestCount, sumJ / bestCount];
  // The centroid of a ring-shaped lesion lies outside it: take the nearest lesion voxel.
  let best: [number, number] = [0, 0];
  let bestDistance = Infinity;
  for (let p = 0; p < size; p++) {
    if (labels[bestK * size + p] === 0) continue;
    const [i, j] = [p % nx, Math.floor(p / nx)];
    const distance = (i - ci) ** 2 + (j - cj) ** 2;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = [i, j];
    }
  }
  return { voxel: [best[0], best[1], bestK], sliceVoxels: bestCount };
}
