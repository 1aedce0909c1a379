// Steps 2 and 3 of conform: crop to the brain's bounding box, then centre crop-or-pad with zeros to the target shape.
import type { Dims3, Volume } from '../volume.ts';
import { IDENTITY_ORIENTATION, orientedBlock } from './block.ts';

/** Voxel box [start, end) per axis (end exclusive). */
export interface BoundingBox {
  readonly start: readonly [number, number, number];
  readonly end: readonly [number, number, number];
}

/** Smallest box holding every non-zero voxel of `mask`, or null when the mask is empty. */
export function brainBoundingBox(mask: Volume): BoundingBox | null {
  const [nx, ny, nz] = mask.dims;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  const data = mask.data;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = nx * (j + ny * k);
      // Only the first and last non-zero voxel of a row matter.
      let first = 0;
      while (first < nx && data[row + first] === 0) first++;
      if (first === nx) continue;
      let last = nx - 1;
      while (data[row + last] === 0) last--;
      if (first < lo[0]) lo[0] = first;
      if (last > hi[0]) hi[0] = last;
      if (j < lo[1]) lo[1] = j;
      if (j > hi[1]) hi[1] = j;
      if (k < lo[2]) lo[2] = k;
      if (k > hi[2]) hi[2] = k;
    }
  }
  if (hi[0] < 0) return null;
  return { start: [lo[0], lo[1], lo[2]], end: [hi[0] + 1, hi[1] + 1, hi[2] + 1] };
}

/**
 * The block of `dims` voxels whose voxel 0 is input voxel `start` (any integers): voxels outside the input, or
 * outside `within` when given, are zeros. Affine shifted exactly, spacing unchanged. Crops, pads and both at once.
 */
export function extractBlock(
  volume: Volume,
  start: readonly [number, number, number],
  dims: Dims3,
  within?: BoundingBox,
): Volume {
  return orientedBlock(volume, IDENTITY_ORIENTATION, start, dims, within);
}

/** Crop to a bounding box (step 2). */
export function cropToBoundingBox(volume: Volume, box: BoundingBox): Volume {
  const dims: Dims3 = [box.end[0] - box.start[0], box.end[1] - box.start[1], box.end[2] - box.start[2]];
  return extractBlock(volume, box.start, dims);
}

/**
 * Input voxel that lands on voxel 0 of the centre crop-or-pad from `dims` to `target`, per axis (negative where
 * padded). torchio.CropOrPad semantics: for a difference d = |n - m|, ceil(d / 2) voxels are cropped (or padded)
 * at the start and floor(d / 2) at the end, so an odd voxel goes to the START in both cases.
 */
export function cropOrPadOffset(dims: Dims3, target: Dims3): [number, number, number] {
  return [0, 1, 2].map((a) => {
    const d = dims[a] - target[a];
    return d >= 0 ? Math.ceil(d / 2) : -Math.ceil(-d / 2);
  }) as [number, number, number];
}

/** Centre crop-or-pad with zeros to `target` (step 3), as torchio.CropOrPad(target, padding_mode=0). */
export function cropOrPad(volume: Volume, target: Dims3): Volume {
  return extractBlock(volume, cropOrPadOffset(volume.dims, target), target);
}
