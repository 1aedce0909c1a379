// 4x4 row-major voxel-to-world affine arithmetic shared by the conform steps and the mapping back to the input grid.
import type { Dims3 } from '../volume.ts';

/** a * b for 4x4 row-major matrices. */
export function multiplyAffine(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(16);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += a[r * 4 + k] * b[k * 4 + c];
      out[r * 4 + c] = sum;
    }
  }
  return out;
}

/**
 * Affine of a grid whose voxel p sits at voxel (scale * p + offset) of the grid described by `affine`
 * (per axis): the exact update for crops, pads and regular subsampling.
 */
export function voxelSubgridAffine(
  affine: ArrayLike<number>,
  offset: readonly [number, number, number],
  scale: readonly [number, number, number] = [1, 1, 1],
): Float64Array {
  const t = new Float64Array(16);
  for (let a = 0; a < 3; a++) {
    t[a * 4 + a] = scale[a];
    t[a * 4 + 3] = offset[a];
  }
  t[15] = 1;
  return multiplyAffine(affine, t);
}

/** World (mm) position of the centre of voxel (i, j, k). */
export function voxelToWorld(affine: ArrayLike<number>, i: number, j: number, k: number): [number, number, number] {
  return [0, 1, 2].map((r) => affine[r * 4] * i + affine[r * 4 + 1] * j + affine[r * 4 + 2] * k + affine[r * 4 + 3]) as [
    number,
    number,
    number,
  ];
}

/**
 * Largest distance (mm) between the world positions of the 8 corner voxels of two grids of the same dims:
 * 0 when both affines place the grid identically.
 */
export function cornerDistance(dims: Dims3, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let corner = 0; corner < 8; corner++) {
    const i = corner & 1 ? dims[0] - 1 : 0;
    const j = corner & 2 ? dims[1] - 1 : 0;
    const k = corner & 4 ? dims[2] - 1 : 0;
    const pa = voxelToWorld(a, i, j, k);
    const pb = voxelToWorld(b, i, j, k);
    worst = Math.max(worst, Math.hypot(pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]));
  }
  return worst;
}
