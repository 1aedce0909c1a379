// Step 5 of conform: halve the grid (2 mm from 1 mm), sampling each output voxel at the centre of its 2x2x2 input block.
import type { Dims3, Volume } from '../volume.ts';
import { voxelSubgridAffine } from './affine.ts';
import { cubicSplineAtHalfSteps, cubicSplineCoefficients } from './bspline.ts';

/**
 * 'linear': trilinear at the block centre (= mean of the 2x2x2 block); 'bspline': cubic B-spline with prefilter
 * (scipy.ndimage.map_coordinates order 3, mode 'mirror'); 'nearest': input voxel 2m + 1 per axis (the block
 * centre 2m + 0.5 rounded half up), for masks and labels.
 */
export type DownsampleInterpolation = 'linear' | 'bspline' | 'nearest';

type LineFilter = (input: Float64Array, output: Float64Array) => void;

const linearLine: LineFilter = (input, output) => {
  for (let m = 0; m < output.length; m++) output[m] = 0.5 * (input[2 * m] + input[2 * m + 1]);
};

const bsplineLine: LineFilter = (input, output) => {
  cubicSplineCoefficients(input);
  cubicSplineAtHalfSteps(input, output);
};

/** Apply `filter` to every line along `axis`, halving that axis (floor(n / 2)). */
function halveAxis(src: Float64Array, dims: Dims3, axis: number, filter: LineFilter): { data: Float64Array; dims: Dims3 } {
  const outDims = [dims[0], dims[1], dims[2]];
  outDims[axis] = Math.floor(dims[axis] / 2);
  const inStrides = [1, dims[0], dims[0] * dims[1]];
  const outStrides = [1, outDims[0], outDims[0] * outDims[1]];
  const [u, v] = [0, 1, 2].filter((a) => a !== axis);
  const input = new Float64Array(dims[axis]);
  const output = new Float64Array(outDims[axis]);
  const data = new Float64Array(outDims[0] * outDims[1] * outDims[2]);
  const inStride = inStrides[axis];
  const outStride = outStrides[axis];
  for (let b = 0; b < dims[v]; b++) {
    for (let a = 0; a < dims[u]; a++) {
      const inBase = a * inStrides[u] + b * inStrides[v];
      const outBase = a * outStrides[u] + b * outStrides[v];
      for (let i = 0; i < input.length; i++) input[i] = src[inBase + i * inStride];
      filter(input, output);
      for (let i = 0; i < output.length; i++) data[outBase + i * outStride] = output[i];
    }
  }
  return { data, dims: [outDims[0], outDims[1], outDims[2]] };
}

/**
 * Downsample by 2 along every axis to floor(n / 2) voxels (an odd axis drops its last voxel). Output voxel m
 * represents input coordinate 2m + 0.5, so the affine becomes A * [2 0 0 0.5; 0 2 0 0.5; 0 0 2 0.5; 0 0 0 1]
 * (spacing doubled, origin moved half an input voxel) and every voxel keeps its world position. Needs every
 * axis to have at least 2 voxels.
 */
export function downsample2(volume: Volume, interpolation: DownsampleInterpolation): Volume {
  const [nx, ny, nz] = volume.dims;
  if (nx < 2 || ny < 2 || nz < 2) throw new RangeError(`cannot downsample a ${nx}x${ny}x${nz} grid by 2`);
  const dims: Dims3 = [nx >> 1, ny >> 1, nz >> 1];
  const affine = voxelSubgridAffine(volume.affine, [0.5, 0.5, 0.5], [2, 2, 2]);
  const spacing = [volume.spacing[0] * 2, volume.spacing[1] * 2, volume.spacing[2] * 2] as const;
  const src = volume.data;
  if (interpolation === 'nearest') {
    const data = new Float32Array(dims[0] * dims[1] * dims[2]);
    let o = 0;
    for (let k = 0; k < dims[2]; k++) {
      for (let j = 0; j < dims[1]; j++) {
        const row = nx * (2 * j + 1 + ny * (2 * k + 1));
        for (let i = 0; i < dims[0]; i++) data[o++] = src[row + 2 * i + 1];
      }
    }
    return { dims, data, affine, spacing };
  }
  const filter = interpolation === 'linear' ? linearLine : bsplineLine;
  // Both interpolators are separable, so one axis at a time gives the full 3D result on a shrinking grid.
  let grid: { data: Float64Array; dims: Dims3 } = { data: new Float64Array(src), dims: volume.dims };
  for (let axis = 0; axis < 3; axis++) grid = halveAxis(grid.data, grid.dims, axis, filter);
  return { dims, data: new Float32Array(grid.data), affine, spacing };
}
