// Synthetic T1-hypointense lesions for the demo: MRIcron's simulated lesion maps inserted into augmented templates.
import { createNoise3D } from 'simplex-noise';
import { voxelSubgridAffine } from '../../src/core/conform/affine.ts';
import type { Volume } from '../../src/core/volume.ts';
import type { WarpedPositions } from './augmentation.ts';
import { seededRandom } from './random.ts';
import { sampleVolume } from './sampling.ts';

/**
 * The lesion intensity model, every knob in one place. Chronic stroke lesions are dark on T1 (between CSF and
 * grey matter), so inside the lesion the image falls towards intensityRatio x the template's white-matter level,
 * with a soft edge and a little texture; voxels already darker than that (CSF) stay as they are.
 */
export const LESION_MODEL = {
  /** Target intensity inside the lesion as a fraction of the white-matter level; drawn per lesion. */
  intensityRatio: [0.35, 0.5] as const,
  /** Gaussian blur (mm) of the binary lesion map that gives the soft edge of the intensity change. */
  edgeSigmaMm: 1,
  /** Texture: the target is multiplied by 1 + amplitude x 3D simplex noise of this feature size (mm). */
  textureAmplitude: 0.12,
  textureScaleMm: 5,
  /** White-matter level of a template: this percentile of its brain intensities (WM is T1's brightest large class). */
  whiteMatterPercentile: 85,
};

/** One of MRIcron's lesion maps, cropped to its surroundings: the binary map and its blurred (soft-edged) copy. */
export interface LesionMap {
  readonly id: number;
  readonly binary: Volume;
  readonly soft: Volume;
}

/** One lesion as the plan asks for it: which map, and whether to mirror it into the left hemisphere. */
export interface LesionPlacement {
  readonly lesionId: number;
  readonly mirrored: boolean;
}

/** What was inserted, for the manifest. */
export interface InsertedLesion {
  lesionId: number;
  mirrored: boolean;
  intensityRatio: number;
  /** Lesion volume inside this brain after the deformation (ml, on the 1 mm grid before conform). */
  volumeMl: number;
}

function gaussianKernel(sigmaVoxels: number): Float64Array {
  const radius = Math.ceil(3 * sigmaVoxels);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let n = -radius; n <= radius; n++) {
    kernel[n + radius] = Math.exp(-(n * n) / (2 * sigmaVoxels * sigmaVoxels));
    sum += kernel[n + radius];
  }
  return kernel.map((v) => v / sum);
}

/** Separable Gaussian blur along each axis (zero outside the grid, which only holds background at its border). */
function blur(volume: Volume, sigmaMm: number): Volume {
  const [nx, ny, nz] = volume.dims;
  const strides = [1, nx, nx * ny];
  let current = Float32Array.from(volume.data);
  for (let axis = 0; axis < 3; axis++) {
    const kernel = gaussianKernel(sigmaMm / volume.spacing[axis]);
    const radius = (kernel.length - 1) / 2;
    const stride = strides[axis];
    const n = volume.dims[axis];
    const next = new Float32Array(current.length);
    let o = 0;
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++, o++) {
          const position = axis === 0 ? i : axis === 1 ? j : k;
          let sum = 0;
          for (let t = -radius; t <= radius; t++) {
            const p = position + t;
            if (p >= 0 && p < n) sum += kernel[t + radius] * current[o + t * stride];
          }
          next[o] = sum;
        }
      }
    }
    current = next;
  }
  return { ...volume, data: current };
}

/** Crop a binary lesion map (non-zero = lesion) to its bounding box plus room for the soft edge, and blur a copy. */
export function prepareLesionMap(id: number, mask: Volume): LesionMap {
  const [nx, ny, nz] = mask.dims;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  let o = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, o++) {
        if (mask.data[o] === 0) continue;
        const p = [i, j, k];
        for (let a = 0; a < 3; a++) {
          lo[a] = Math.min(lo[a], p[a]);
          hi[a] = Math.max(hi[a], p[a]);
        }
      }
    }
  }
  if (hi[0] < 0) throw new RangeError(`lesion map ${id} is empty`);
  const margin = Math.ceil(4 * LESION_MODEL.edgeSigmaMm / Math.min(...mask.spacing)) + 2;
  const start = lo.map((l) => l - margin);
  const dims = [0, 1, 2].map((a) => hi[a] - lo[a] + 1 + 2 * margin) as [number, number, number];
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  o = 0;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++, o++) {
        const [si, sj, sk] = [i + start[0], j + start[1], k + start[2]];
        const inside = si >= 0 && sj >= 0 && sk >= 0 && si < nx && sj < ny && sk < nz;
        data[o] = inside && mask.data[si + nx * (sj + ny * sk)] !== 0 ? 1 : 0;
      }
    }
  }
  const binary: Volume = {
    dims,
    data,
    affine: voxelSubgridAffine(mask.affine, start as [number, number, number]),
    spacing: mask.spacing,
  };
  return { id, binary, soft: blur(binary, LESION_MODEL.edgeSigmaMm) };
}

/**
 * Insert lesions into an augmented brain (before its bias field and noise, so those affect the lesion too).
 * Each map is sampled at the same warped positions as the template, so the lesion deforms with the brain; a
 * mirrored placement samples it at (-x, y, z). Per voxel, with s the soft-edged lesion weight (0..1), target =
 * ratio x whiteMatterLevel x (1 + texture): image -= s x max(0, image - target). Ground truth = the warped binary
 * map (trilinear >= 0.5) inside the brain, label 1 for every lesion. Returns it on the same grid as `image`.
 */
export function insertLesions(
  image: Float32Array,
  brain: Uint8Array,
  positions: WarpedPositions,
  lesions: readonly { map: LesionMap; mirrored: boolean }[],
  whiteMatterLevel: number,
  voxelVolumeMl: number,
  seed: string,
): { seg: Uint8Array; inserted: InsertedLesion[] } {
  const random = seededRandom(`${seed}/lesion`);
  const texture = createNoise3D(() => random.next());
  const seg = new Uint8Array(image.length);
  const weight = new Float32Array(image.length);
  const target = new Float32Array(image.length);
  const inserted: InsertedLesion[] = [];
  for (const { map, mirrored } of lesions) {
    const intensityRatio = Number(random.uniform(...LESION_MODEL.intensityRatio).toFixed(3));
    const soft = sampleVolume(map.soft, positions, mirrored);
    const binary = sampleVolume(map.binary, positions, mirrored);
    let voxels = 0;
    for (let n = 0; n < image.length; n++) {
      if (brain[n] === 0) continue;
      if (binary[n] >= 0.5) {
        seg[n] = 1;
        voxels++;
      }
      // Where two lesions meet, the stronger weight wins (they never overlap in the demo plan: one is mirrored).
      if (soft[n] > weight[n]) {
        weight[n] = soft[n];
        target[n] = intensityRatio * whiteMatterLevel;
      }
    }
    inserted.push({ lesionId: map.id, mirrored, intensityRatio, volumeMl: Number((voxels * voxelVolumeMl).toFixed(1)) });
  }
  const scale = LESION_MODEL.textureScaleMm;
  for (let n = 0; n < image.length; n++) {
    const s = weight[n];
    if (s <= 0) continue;
    const noise = texture(positions.x[n] / scale, positions.y[n] / scale, positions.z[n] / scale);
    const goal = target[n] * (1 + LESION_MODEL.textureAmplitude * noise);
    image[n] -= s * Math.max(0, image[n] - goal);
  }
  return { seg, inserted };
}
