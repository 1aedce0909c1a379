// The one voxel-grid check for every pair of volumes (conform's image, mask and segmentation; the CLI's maps, masks and reconstructions).
import type { Volume } from '../volume.ts';
import { cornerDistance } from './affine.ts';

/** Corner voxels this close (mm) are the same grid: float32 round-off in headers, never a real shift or flip. */
export const GRID_TOLERANCE_MM = 1e-3;

type Grid = Pick<Volume, 'dims' | 'affine'>;

/**
 * How `other` departs from the grid of `reference` (called `referenceName` in the phrase), or null when both share
 * one grid: the same dims and all 8 corner voxels within GRID_TOLERANCE_MM, so a shift or a flip is caught.
 * @example
 * gridMismatch(image, mask, 'the image'); // "lies 10.000 mm away from the image's grid (different affine)"
 */
export function gridMismatch(reference: Grid, other: Grid, referenceName: string): string | null {
  if (!reference.dims.every((n, a) => n === other.dims[a])) {
    return `is ${other.dims.join('x')} voxels but ${referenceName} is ${reference.dims.join('x')}`;
  }
  const distance = cornerDistance(reference.dims, reference.affine, other.affine);
  if (distance <= GRID_TOLERANCE_MM) return null;
  return `lies ${distance.toFixed(3)} mm away from ${referenceName}'s grid (different affine)`;
}
