// Copy a box of the canonical (RAS+) grid straight out of a volume stored in any orientation: reorient, crop and pad in one pass.
import type { Dims3, Volume } from '../volume.ts';
import { multiplyAffine, voxelSubgridAffine } from './affine.ts';
import type { BoundingBox } from './crop.ts';

/**
 * How a grid maps onto canonical RAS+ voxel order: canonical axis a (0 = R, 1 = A, 2 = S) is input voxel
 * axis axes[a], read backwards when flips[a]. Identity ({axes: [0, 1, 2], flips: all false}) for RAS+ input.
 */
export interface CanonicalOrientation {
  readonly axes: readonly [number, number, number];
  readonly flips: readonly [boolean, boolean, boolean];
}

/** Grid size after reorienting a grid of `dims` with `orientation`. */
export function canonicalDims(dims: Dims3, orientation: CanonicalOrientation): Dims3 {
  return [dims[orientation.axes[0]], dims[orientation.axes[1]], dims[orientation.axes[2]]];
}

/** The orientation of a grid already in canonical order. */
export const IDENTITY_ORIENTATION: CanonicalOrientation = { axes: [0, 1, 2], flips: [false, false, false] };

/**
 * Voxel p of the result is canonical voxel start + p, i.e. input voxel x with x[axes[a]] = flips[a] ? n - 1 - c_a
 * : c_a. Voxels outside the grid, or outside `within` (canonical coordinates) when given, are 0. The affine is
 * updated exactly (axis permutation, flips and the shift of `start`); spacing follows the axes.
 */
export function orientedBlock(
  volume: Volume,
  orientation: CanonicalOrientation,
  start: readonly [number, number, number],
  dims: Dims3,
  within?: BoundingBox,
): Volume {
  const { axes, flips } = orientation;
  const inDims = volume.dims;
  const canonical = canonicalDims(inDims, orientation);
  const inStrides = [1, inDims[0], inDims[0] * inDims[1]];
  // Input voxel = T * canonical voxel, and input index = base + sum_a c_a * steps[a].
  const t = new Float64Array(16);
  t[15] = 1;
  let base = 0;
  const steps = [0, 0, 0];
  const lo = [0, 0, 0];
  const hi = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const s = axes[a];
    t[s * 4 + a] = flips[a] ? -1 : 1;
    t[s * 4 + 3] = flips[a] ? inDims[s] - 1 : 0;
    steps[a] = flips[a] ? -inStrides[s] : inStrides[s];
    if (flips[a]) base += (inDims[s] - 1) * inStrides[s];
    lo[a] = Math.max(0, Math.max(0, within?.start[a] ?? 0) - start[a]);
    hi[a] = Math.min(dims[a], Math.min(canonical[a], within?.end[a] ?? canonical[a]) - start[a]);
  }
  const src = volume.data;
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  const step0 = steps[0];
  for (let k = lo[2]; k < hi[2]; k++) {
    for (let j = lo[1]; j < hi[1]; j++) {
      let idx = base + (start[0] + lo[0]) * step0 + (start[1] + j) * steps[1] + (start[2] + k) * steps[2];
      const row = dims[0] * (j + dims[1] * k);
      if (step0 === 1) {
        data.set(src.subarray(idx, idx + hi[0] - lo[0]), row + lo[0]);
        continue;
      }
      for (let i = lo[0]; i < hi[0]; i++, idx += step0) data[row + i] = src[idx];
    }
  }
  const sp = volume.spacing;
  return {
    dims,
    data,
    affine: voxelSubgridAffine(multiplyAffine(volume.affine, t), start),
    spacing: [sp[axes[0]], sp[axes[1]], sp[axes[2]]],
  };
}

/** A box on the input grid expressed on the canonical grid. */
export function canonicalBox(box: BoundingBox, inputDims: Dims3, orientation: CanonicalOrientation): BoundingBox {
  const start: [number, number, number] = [0, 0, 0];
  const end: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const s = orientation.axes[a];
    start[a] = orientation.flips[a] ? inputDims[s] - box.end[s] : box.start[s];
    end[a] = orientation.flips[a] ? inputDims[s] - box.start[s] : box.end[s];
  }
  return { start, end };
}
