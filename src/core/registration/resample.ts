// Resampling for registration: block averaging, axis-aligned LPS grids, and sampling a volume through a point transform.
import { multiplyAffine, voxelSubgridAffine, voxelToWorld } from '../conform/affine.ts';
import type { Dims3, Volume } from '../volume.ts';
import { invertAffine } from './transform.ts';

/** A voxel grid without values: its size and voxel-to-world (RAS+, mm) affine. */
export interface VoxelGrid {
  readonly dims: Dims3;
  readonly affine: Float64Array;
}

/**
 * Mean over blocks of factors[a] voxels per axis (the last partial block dropped): the anti-aliasing step before
 * sampling a fine scan onto a coarse registration grid. Output voxel m sits at input voxel f * m + (f - 1) / 2.
 */
export function blockAverage(volume: Volume, factors: readonly [number, number, number]): Volume {
  const [fx, fy, fz] = factors;
  const [nx, ny] = volume.dims;
  const dims: Dims3 = [0, 1, 2].map((a) => Math.max(1, Math.floor(volume.dims[a] / factors[a]))) as unknown as Dims3;
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  const src = volume.data;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++) {
        let sum = 0;
        let count = 0;
        for (let dk = 0; dk < fz && fz * k + dk < volume.dims[2]; dk++) {
          for (let dj = 0; dj < fy && fy * j + dj < ny; dj++) {
            const row = nx * (fy * j + dj + ny * (fz * k + dk));
            for (let di = 0; di < fx && fx * i + di < nx; di++) {
              sum += src[row + fx * i + di];
              count++;
            }
          }
        }
        data[i + dims[0] * (j + dims[1] * k)] = sum / count;
      }
    }
  }
  const affine = voxelSubgridAffine(volume.affine, [(fx - 1) / 2, (fy - 1) / 2, (fz - 1) / 2], [fx, fy, fz]);
  return { dims, data, affine, spacing: [volume.spacing[0] * fx, volume.spacing[1] * fy, volume.spacing[2] * fz] };
}

/**
 * The grid of `spacingMm` voxels whose axes run along L, P and S (ITK's identity direction) and which covers every
 * voxel centre of `grid`: what fqlab hands elastix, so no direction-matrix convention can go wrong.
 */
export function lpsAlignedGrid(grid: VoxelGrid, spacingMm: number): VoxelGrid {
  const low = [Infinity, Infinity, Infinity];
  const high = [-Infinity, -Infinity, -Infinity];
  for (let corner = 0; corner < 8; corner++) {
    const point = voxelToWorld(
      grid.affine,
      corner & 1 ? grid.dims[0] - 1 : 0,
      corner & 2 ? grid.dims[1] - 1 : 0,
      corner & 4 ? grid.dims[2] - 1 : 0,
    );
    for (let a = 0; a < 3; a++) {
      low[a] = Math.min(low[a], point[a]);
      high[a] = Math.max(high[a], point[a]);
    }
  }
  const dims = [0, 1, 2].map((a) => Math.floor((high[a] - low[a]) / spacingMm) + 1) as unknown as Dims3;
  // Voxel 0 at the right-anterior-inferior corner; i runs left, j posterior, k superior.
  const affine = Float64Array.from([-spacingMm, 0, 0, high[0], 0, -spacingMm, 0, high[1], 0, 0, spacingMm, low[2], 0, 0, 0, 1]);
  return { dims, affine };
}

/**
 * Samples `source` at every voxel of `grid` through `gridToSource`, a world-to-world (RAS+, mm) transform taking a
 * point of the grid to the point of the source it shows. 'linear' is trilinear; 'nearest' takes the closest voxel.
 * Points outside the source's voxel centres read `outside` (linear: within half a voxel, the edge value is held).
 */
export function resampleThrough(
  source: Volume,
  grid: VoxelGrid,
  gridToSource: ArrayLike<number>,
  interpolation: 'linear' | 'nearest',
  outside = 0,
): Volume {
  // One matrix from grid voxel to source voxel: inverse(source affine) * transform * grid affine.
  const m = multiplyAffine(multiplyAffine(invertAffine(source.affine), gridToSource), grid.affine);
  const [nx, ny, nz] = source.dims;
  const [gx, gy, gz] = grid.dims;
  const src = source.data;
  const data = new Float32Array(gx * gy * gz);
  let n = 0;
  for (let k = 0; k < gz; k++) {
    for (let j = 0; j < gy; j++) {
      const bx = m[1] * j + m[2] * k + m[3];
      const by = m[5] * j + m[6] * k + m[7];
      const bz = m[9] * j + m[10] * k + m[11];
      for (let i = 0; i < gx; i++, n++) {
        const x = bx + m[0] * i;
        const y = by + m[4] * i;
        const z = bz + m[8] * i;
        if (x < -0.5 || y < -0.5 || z < -0.5 || x > nx - 0.5 || y > ny - 0.5 || z > nz - 0.5) {
          data[n] = outside;
          continue;
        }
        if (interpolation === 'nearest') {
          const xi = Math.min(Math.round(x), nx - 1);
          const yi = Math.min(Math.round(y), ny - 1);
          const zi = Math.min(Math.round(z), nz - 1);
          data[n] = src[xi + nx * (yi + ny * zi)];
          continue;
        }
        const xc = Math.min(Math.max(x, 0), nx - 1);
        const yc = Math.min(Math.max(y, 0), ny - 1);
        const zc = Math.min(Math.max(z, 0), nz - 1);
        const x0 = Math.min(Math.floor(xc), nx - 2 < 0 ? 0 : nx - 2);
        const y0 = Math.min(Math.floor(yc), ny - 2 < 0 ? 0 : ny - 2);
        const z0 = Math.min(Math.floor(zc), nz - 2 < 0 ? 0 : nz - 2);
        const wx = nx > 1 ? xc - x0 : 0;
        const wy = ny > 1 ? yc - y0 : 0;
        const wz = nz > 1 ? zc - z0 : 0;
        const sx = nx > 1 ? 1 : 0;
        const sy = ny > 1 ? nx : 0;
        const sz = nz > 1 ? nx * ny : 0;
        const base = x0 + nx * (y0 + ny * z0);
        const c00 = src[base] + wx * (src[base + sx] - src[base]);
        const c01 = src[base + sy] + wx * (src[base + sy + sx] - src[base + sy]);
        const c10 = src[base + sz] + wx * (src[base + sz + sx] - src[base + sz]);
        const c11 = src[base + sz + sy] + wx * (src[base + sz + sy + sx] - src[base + sz + sy]);
        const c0 = c00 + wy * (c01 - c00);
        const c1 = c10 + wy * (c11 - c10);
        data[n] = c0 + wz * (c1 - c0);
      }
    }
  }
  const spacing = [0, 1, 2].map((c) => Math.hypot(grid.affine[c], grid.affine[4 + c], grid.affine[8 + c])) as unknown as [number, number, number];
  return { dims: grid.dims, data, affine: Float64Array.from(grid.affine), spacing };
}
