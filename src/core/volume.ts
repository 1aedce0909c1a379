// The in-memory volume every part of fqlab shares: a 3D grid of float32 values with its voxel-to-world affine.

/** Grid size in voxels along the three voxel axes (i, j, k). */
export type Dims3 = readonly [number, number, number];

/**
 * A 3D scalar volume. Voxel (i, j, k) lives at data[i + nx * (j + ny * k)] (NIfTI order,
 * first axis fastest). After conform, k is the axial (inferior -> superior) axis, so an axial
 * 2D slice of an nx x ny x nz volume is the contiguous block data[k*nx*ny, (k+1)*nx*ny).
 */
export interface Volume {
  readonly dims: Dims3;
  readonly data: Float32Array;
  /** 4x4 voxel-to-world (mm, RAS+ scanner space) affine, row-major. */
  readonly affine: Float64Array;
  /** Voxel size in mm along i, j, k. */
  readonly spacing: readonly [number, number, number];
}

/** Number of voxels of a grid. */
export function voxelCount(dims: Dims3): number {
  return dims[0] * dims[1] * dims[2];
}

/** Linear index of voxel (i, j, k). */
export function voxelIndex(dims: Dims3, i: number, j: number, k: number): number {
  return i + dims[0] * (j + dims[1] * k);
}
