// How a conformed voxel relates to the input's own grid, and resampling maps (anomaly maps, masks) back onto it.
import type { Dims3, Volume } from '../volume.ts';

type Triple = [number, number, number];

/**
 * Everything needed to go from the conformed grid back to the input grid, as plain JSON. Input voxel x and
 * conformed voxel m are related per canonical axis a (input axis s = canonicalAxes[a], n = inputDims[s]):
 *   canonical c = canonicalFlips[a] ? n - 1 - x[s] : x[s]
 *   full-resolution conformed v = c - bboxStart[a] - cropOrPadOffset[a]   (0 <= v < downsample * conformedDims[a])
 *   conformed m = (v - (downsample - 1) / 2) / downsample                 (continuous)
 * which is exactly inverse(conformedAffine) * inputAffine.
 */
export interface ConformMapping {
  readonly inputDims: Triple;
  /** Row-major 4x4 voxel-to-world affine of the input. */
  readonly inputAffine: number[];
  readonly inputSpacing: Triple;
  /** Canonical (RAS) axis a is input axis canonicalAxes[a]... */
  readonly canonicalAxes: Triple;
  /** ...read backwards when canonicalFlips[a]. */
  readonly canonicalFlips: [boolean, boolean, boolean];
  /** Brain bounding box on the canonical grid, [start, end). */
  readonly bboxStart: Triple;
  readonly bboxEnd: Triple;
  /** Voxel of the bbox-cropped grid at full-resolution conformed voxel 0 (negative where padded). */
  readonly cropOrPadOffset: Triple;
  readonly targetShape: Triple;
  readonly downsample: 1 | 2;
  readonly conformedDims: Triple;
  readonly conformedAffine: number[];
}

/** Per input index along one axis: whether it is inside the conformed field of view and where it samples. */
interface AxisSampling {
  readonly inside: Uint8Array;
  /** Map-array offsets (already multiplied by the map stride) of the lower and upper neighbour. */
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  /** Weight of the upper neighbour (0 for nearest). */
  readonly weight: Float64Array;
}

function axisSampling(mapping: ConformMapping, inputAxis: number, interpolation: 'linear' | 'nearest'): AxisSampling {
  const a = mapping.canonicalAxes.indexOf(inputAxis);
  const n = mapping.inputDims[inputAxis];
  const f = mapping.downsample;
  const size = mapping.conformedDims[a];
  const stride = a === 0 ? 1 : a === 1 ? mapping.conformedDims[0] : mapping.conformedDims[0] * mapping.conformedDims[1];
  const sampling: AxisSampling = {
    inside: new Uint8Array(n),
    lower: new Int32Array(n),
    upper: new Int32Array(n),
    weight: new Float64Array(n),
  };
  for (let x = 0; x < n; x++) {
    const c = mapping.canonicalFlips[a] ? n - 1 - x : x;
    const v = c - mapping.bboxStart[a] - mapping.cropOrPadOffset[a];
    if (v < 0 || v >= f * size) continue;
    sampling.inside[x] = 1;
    // Inside the field of view but beyond the outermost conformed voxel centre: hold the edge value.
    const m = Math.min(Math.max((v - (f - 1) / 2) / f, 0), size - 1);
    if (interpolation === 'nearest') {
      // Never a tie: m is a whole number or a quarter off one.
      sampling.lower[x] = Math.floor(m + 0.5) * stride;
      sampling.upper[x] = sampling.lower[x];
    } else {
      const below = Math.min(Math.floor(m), size - 1);
      sampling.lower[x] = below * stride;
      sampling.upper[x] = Math.min(below + 1, size - 1) * stride;
      sampling.weight[x] = m - below;
    }
  }
  return sampling;
}

/**
 * Resample a map on the conformed grid (e.g. an anomaly map) onto the input's own grid: the result has the input's
 * dims, affine and spacing. 'linear' interpolates trilinearly between conformed voxel centres (holding the edge
 * value in the half voxel beyond them); 'nearest' takes the conformed voxel whose 2x2x2 block holds the input voxel,
 * so a mask survives a round trip. Input voxels outside the conformed field of view (cropped away) are 0.
 */
export function mapToInputGrid(map: Volume, mapping: ConformMapping, interpolation: 'linear' | 'nearest'): Volume {
  const cd = mapping.conformedDims;
  if (map.dims[0] !== cd[0] || map.dims[1] !== cd[1] || map.dims[2] !== cd[2]) {
    throw new RangeError(`map is ${map.dims.join('x')} but the conformed grid is ${cd.join('x')}`);
  }
  const dims: Dims3 = [mapping.inputDims[0], mapping.inputDims[1], mapping.inputDims[2]];
  const [sx, sy, sz] = [0, 1, 2].map((s) => axisSampling(mapping, s, interpolation));
  const src = map.data;
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) {
    if (!sz.inside[k]) continue;
    const wz = sz.weight[k];
    const z0 = sz.lower[k];
    const z1 = sz.upper[k];
    for (let j = 0; j < dims[1]; j++) {
      if (!sy.inside[j]) continue;
      const wy = sy.weight[j];
      const a00 = z0 + sy.lower[j];
      const a01 = z0 + sy.upper[j];
      const a10 = z1 + sy.lower[j];
      const a11 = z1 + sy.upper[j];
      const row = dims[0] * (j + dims[1] * k);
      for (let i = 0; i < dims[0]; i++) {
        if (!sx.inside[i]) continue;
        const wx = sx.weight[i];
        const x0 = sx.lower[i];
        const x1 = sx.upper[i];
        const c00 = src[a00 + x0] + wx * (src[a00 + x1] - src[a00 + x0]);
        const c01 = src[a01 + x0] + wx * (src[a01 + x1] - src[a01 + x0]);
        const c10 = src[a10 + x0] + wx * (src[a10 + x1] - src[a10 + x0]);
        const c11 = src[a11 + x0] + wx * (src[a11 + x1] - src[a11 + x0]);
        const c0 = c00 + wy * (c01 - c00);
        const c1 = c10 + wy * (c11 - c10);
        data[row + i] = c0 + wz * (c1 - c0);
      }
    }
  }
  return { dims, data, affine: Float64Array.from(mapping.inputAffine), spacing: [...mapping.inputSpacing] };
}
