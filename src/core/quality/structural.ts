// The structural term of the FQ map: SSIM loss (the paper's), MS-SSIM loss or GMS loss, each a per-voxel map per axial slice.
import type { Dims3 } from '../volume.ts';
import { gmsLossMap } from './gmsd.ts';
import { msSsimLossMap } from './msSsim.ts';
import { ssimLossMap } from './ssim.ts';

/** Which structural loss FQ = alpha * structural + (1 - alpha) * l1 blends: 'ssim' is the paper's. */
export const STRUCTURAL_TERMS = ['ssim', 'ms-ssim', 'gmsd'] as const;
export type StructuralTerm = (typeof STRUCTURAL_TERMS)[number];

/**
 * The structural loss map of x against its reconstruction y: SSIM loss and MS-SSIM loss in [0, 0.5], GMS loss in [0, 1).
 * @example const structural = structuralLossMap('gmsd', input, reconstruction, [96, 96, 50]);
 */
export function structuralLossMap(term: StructuralTerm, x: Float32Array, y: Float32Array, dims: Dims3, out?: Float32Array): Float32Array {
  if (term === 'ms-ssim') return msSsimLossMap(x, y, dims, out);
  if (term === 'gmsd') return gmsLossMap(x, y, dims, out);
  return ssimLossMap(x, y, dims, out);
}
