// Synthetic structural lesions for the demo: MRIcron's lesion shapes filled with normal tissue in the wrong place.
import { createNoise3D } from 'simplex-noise';
import { voxelSubgridAffine } from '../../src/core/conform/affine.ts';
import type { Volume } from '../../src/core/volume.ts';
import type { WarpedPositions } from './augmentation.ts';
import { seededRandom, type Random } from './random.ts';
import { sampleBrain, sampleVolume } from './sampling.ts';
import type { TissueClass, TissueLevels } from './tissues.ts';

/**
 * What fills a lesion. Every kind takes its intensities from the same scan's normal tissue, so no intensity
 * threshold separates lesion from brain; only the anatomy (what belongs at that place) does.
 * - tissue-swap: grey and white matter trade intensities (WM shows GM's level, GM and CSF show WM's);
 * - displaced-tissue: the healthy brain from 12-20 mm away (sulci, ventricles, GM/WM borders in the wrong place);
 * - grey-matter-fill, white-matter-fill, csf-fill: one tissue class's intensity distribution with a smooth texture,
 *   replacing the GM/WM/CSF structure underneath (e.g. a grey-matter island in white matter).
 */
export type LesionKind = 'tissue-swap' | 'displaced-tissue' | 'grey-matter-fill' | 'white-matter-fill' | 'csf-fill';

/**
 * The lesion model, every knob in one place. Per lesion, the edge blur, mass effect and texture strength are drawn
 * uniformly from these ranges (from the case's seed); the kind comes from the plan.
 */
export const LESION_MODEL = {
  /** Gaussian blur (mm) of the binary lesion map that gives the lesion's blurred boundary. */
  edgeSigmaMm: [1, 2.5] as const,
  /** Mass effect: the surrounding tissue is pushed outward by up to this much (mm) at the lesion's border. */
  massEffectMm: [1, 3] as const,
  /** Mass effect fades outside the lesion with a Gaussian of this width (mm). */
  massEffectReachMm: 8,
  /** tissue-swap and displaced-tissue: the content is multiplied by 1 + amplitude x 3D simplex noise. */
  textureAmplitude: [0.03, 0.08] as const,
  /** Feature size (mm) of every lesion texture. */
  textureScaleMm: 4,
  /** Fills: intensity = class mean + this many class standard deviations x simplex noise (in [-1, 1]). */
  fillTextureStds: 2,
  /** displaced-tissue: distance (mm) to the healthy tissue shown inside the lesion. */
  displacementMm: [12, 20] as const,
  /** displaced-tissue: random directions tried until this fraction of the lesion's source lies inside the brain. */
  displacementMinBrainFraction: 0.98,
  displacementAttempts: 32,
};

/** Largest edge blur, for the margin around a cropped lesion map. */
const MAX_EDGE_SIGMA_MM = LESION_MODEL.edgeSigmaMm[1];

/** One of MRIcron's lesion maps, cropped to its surroundings (binary, 1 = lesion). */
export interface LesionMap {
  readonly id: number;
  readonly binary: Volume;
}

/** One lesion as the plan asks for it: which map, whether to mirror it into the left hemisphere, and its kind. */
export interface LesionPlacement {
  readonly lesionId: number;
  readonly mirrored: boolean;
  readonly kind: LesionKind;
}

/** What was inserted, for the manifest. */
export interface InsertedLesion {
  lesionId: number;
  mirrored: boolean;
  kind: LesionKind;
  edgeSigmaMm: number;
  massEffectMm: number;
  /** 0 for the fills, whose texture is fillTextureStds. */
  textureAmplitude: number;
  /** displaced-tissue: where (world mm, relative) the shown tissue comes from; null otherwise. */
  sourceShiftMm: [number, number, number] | null;
  /** Lesion volume inside this brain after the deformation (ml, on the 1 mm grid before conform). */
  volumeMl: number;
}

/** A lesion placed in one case: its drawn parameters and its maps sampled on the case's grid. */
export interface PlacedLesion {
  readonly placement: LesionPlacement;
  readonly edgeSigmaMm: number;
  readonly massEffectMm: number;
  readonly textureAmplitude: number;
  /** Soft (blurred) lesion weight 0..1 and the binary map's trilinear sample, on the case's grid. */
  readonly soft: Float32Array;
  readonly binary: Float32Array;
  /** Centroid and equivalent-sphere radius of the lesion in template world coordinates (mm). */
  readonly centre: [number, number, number];
  readonly radiusMm: number;
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

/** Crop a binary lesion map (non-zero = lesion) to its bounding box plus room for the widest blurred edge. */
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
  const margin = Math.ceil(4 * MAX_EDGE_SIGMA_MM / Math.min(...mask.spacing)) + 2;
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
  return { id, binary };
}

const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

/**
 * Draw each lesion's parameters (stream `${seed}/lesion`) and sample its map at the case's warped positions, so the
 * lesion deforms with the brain; a mirrored placement samples it at (-x, y, z).
 */
export function placeLesions(
  lesions: readonly { map: LesionMap; placement: LesionPlacement }[],
  positions: WarpedPositions,
  seed: string,
): PlacedLesion[] {
  const random = seededRandom(`${seed}/lesion`);
  return lesions.map(({ map, placement }) => {
    const edgeSigmaMm = round(random.uniform(...LESION_MODEL.edgeSigmaMm), 2);
    const massEffectMm = round(random.uniform(...LESION_MODEL.massEffectMm), 2);
    const textureAmplitude = round(random.uniform(...LESION_MODEL.textureAmplitude), 3);
    const binary = sampleVolume(map.binary, positions, placement.mirrored);
    const soft = sampleVolume(blur(map.binary, edgeSigmaMm), positions, placement.mirrored);
    const centre: [number, number, number] = [0, 0, 0];
    let voxels = 0;
    for (let n = 0; n < binary.length; n++) {
      if (binary[n] < 0.5) continue;
      centre[0] += positions.x[n];
      centre[1] += positions.y[n];
      centre[2] += positions.z[n];
      voxels++;
    }
    if (voxels === 0) throw new RangeError(`lesion map ${map.id} falls outside the grid of case ${seed}`);
    for (let a = 0; a < 3; a++) centre[a] /= voxels;
    // Equivalent-sphere radius in voxels of the output grid, which is 1 mm isotropic (Colin27's MNI grid).
    const radiusMm = Math.cbrt((3 * voxels) / (4 * Math.PI));
    return { placement, edgeSigmaMm, massEffectMm, textureAmplitude, soft, binary, centre, radiusMm };
  });
}

/**
 * Mass effect: the template positions each voxel shows, pulled towards each lesion's centre, so the tissue around
 * the lesion appears pushed outward (by massEffectMm at the equivalent radius R, linearly less inside, and fading
 * with a Gaussian of massEffectReachMm outside). The pull's slope stays well below 1, so the map never folds.
 */
export function withMassEffect(positions: WarpedPositions, lesions: readonly PlacedLesion[]): WarpedPositions {
  const x = Float32Array.from(positions.x);
  const y = Float32Array.from(positions.y);
  const z = Float32Array.from(positions.z);
  const reach = LESION_MODEL.massEffectReachMm;
  for (const lesion of lesions) {
    const [cx, cy, cz] = lesion.centre;
    const radius = lesion.radiusMm;
    const cutoff = radius + 4 * reach;
    for (let n = 0; n < x.length; n++) {
      const dx = x[n] - cx;
      const dy = y[n] - cy;
      const dz = z[n] - cz;
      const r = Math.hypot(dx, dy, dz);
      if (r >= cutoff || r === 0) continue;
      const outside = Math.max(0, r - radius);
      const pull = lesion.massEffectMm * Math.min(1, r / radius) * Math.exp(-(outside * outside) / (2 * reach * reach));
      x[n] -= (pull * dx) / r;
      y[n] -= (pull * dy) / r;
      z[n] -= (pull * dz) / r;
    }
  }
  return { x, y, z, maxElasticMm: positions.maxElasticMm };
}

/**
 * Tissue swap on T1: white matter takes grey matter's level and grey matter and CSF take white matter's (reversed
 * between the GM and WM means), so every part of the lesion changes by at least the GM-WM contrast, yet the result
 * stays inside the scan's own grey-to-white range: nothing darker than grey matter appears.
 */
function swapTissues(value: number, levels: TissueLevels): number {
  const gm = levels.greyMatter.mean;
  const wm = levels.whiteMatter.mean;
  if (value <= gm) return wm;
  return Math.max(gm, wm + gm - value);
}

const FILL_CLASS: Record<Extract<LesionKind, `${string}-fill`>, keyof TissueLevels> = {
  'grey-matter-fill': 'greyMatter',
  'white-matter-fill': 'whiteMatter',
  'csf-fill': 'csf',
};

/** The voxels a lesion changes (soft weight > 0), as positions shifted by `shift` mm, for sampling its source. */
function shiftedPositions(positions: WarpedPositions, voxels: readonly number[], shift: readonly number[]): WarpedPositions {
  const pick = (values: Float32Array, offset: number): Float32Array => Float32Array.from(voxels, (n) => values[n] + offset);
  return { x: pick(positions.x, shift[0]), y: pick(positions.y, shift[1]), z: pick(positions.z, shift[2]), maxElasticMm: 0 };
}

/**
 * displaced-tissue: a shift of 12-20 mm in a random direction whose source (the healthy template there) lies inside
 * the brain for at least displacementMinBrainFraction of the lesion; the best of the attempts otherwise.
 */
function chooseSourceShift(
  template: Volume,
  positions: WarpedPositions,
  core: readonly number[],
  random: Random,
): [number, number, number] {
  let best: { shift: [number, number, number]; fraction: number } | null = null;
  for (let attempt = 0; attempt < LESION_MODEL.displacementAttempts; attempt++) {
    // A uniform direction on the sphere: normalised Gaussian vector.
    const direction = [random.normal(), random.normal(), random.normal()];
    const length = Math.hypot(...direction) || 1;
    const distance = random.uniform(...LESION_MODEL.displacementMm);
    const shift = direction.map((d) => round((distance * d) / length, 2)) as [number, number, number];
    const { brain } = sampleBrain(template, shiftedPositions(positions, core, shift));
    const fraction = brain.reduce((sum, b) => sum + b, 0) / core.length;
    if (!best || fraction > best.fraction) best = { shift, fraction };
    if (fraction >= LESION_MODEL.displacementMinBrainFraction) break;
  }
  return (best as { shift: [number, number, number] }).shift;
}

/**
 * Insert placed lesions into an augmented brain (before its bias field and noise, so those affect the lesion too).
 * `image` and `brain` were sampled at withMassEffect(positions); `positions` are the case's warped positions
 * without it. Per voxel, with s the lesion's soft weight and c its content (see LesionKind):
 * image += s x (c - image). Ground truth = the warped binary map (trilinear >= 0.5) inside the brain, label 1.
 */
export function insertLesions(
  image: Float32Array,
  brain: Uint8Array,
  template: Volume,
  positions: WarpedPositions,
  lesions: readonly PlacedLesion[],
  levels: TissueLevels,
  voxelVolumeMl: number,
  seed: string,
): { seg: Uint8Array; inserted: InsertedLesion[] } {
  const random = seededRandom(`${seed}/lesion-source`);
  const texture = createNoise3D(() => random.next());
  const scale = LESION_MODEL.textureScaleMm;
  const noiseAt = (n: number): number => texture(positions.x[n] / scale, positions.y[n] / scale, positions.z[n] / scale);
  const seg = new Uint8Array(image.length);
  const inserted: InsertedLesion[] = [];
  for (const lesion of lesions) {
    const { kind } = lesion.placement;
    const changed: number[] = [];
    const core: number[] = [];
    let voxels = 0;
    for (let n = 0; n < image.length; n++) {
      if (brain[n] === 0) continue;
      if (lesion.binary[n] >= 0.5) {
        seg[n] = 1;
        voxels++;
        core.push(n);
      }
      if (lesion.soft[n] > 0) changed.push(n);
    }
    let sourceShiftMm: [number, number, number] | null = null;
    let content: (n: number, index: number) => number;
    if (kind === 'displaced-tissue') {
      sourceShiftMm = chooseSourceShift(template, positions, core, random);
      const source = sampleBrain(template, shiftedPositions(positions, changed, sourceShiftMm));
      // Where the source falls outside the brain the voxel keeps its own tissue.
      content = (n, index) => (source.brain[index] ? source.image[index] : image[n]) * (1 + lesion.textureAmplitude * noiseAt(n));
    } else if (kind === 'tissue-swap') {
      content = (n) => swapTissues(image[n], levels) * (1 + lesion.textureAmplitude * noiseAt(n));
    } else {
      const fill: TissueClass = levels[FILL_CLASS[kind]];
      content = (n) => Math.max(0, fill.mean + LESION_MODEL.fillTextureStds * fill.std * noiseAt(n));
    }
    const values = changed.map((n, index) => content(n, index));
    for (const [index, n] of changed.entries()) image[n] += lesion.soft[n] * (values[index] - image[n]);
    inserted.push({
      lesionId: lesion.placement.lesionId,
      mirrored: lesion.placement.mirrored,
      kind,
      edgeSigmaMm: lesion.edgeSigmaMm,
      massEffectMm: lesion.massEffectMm,
      textureAmplitude: kind.endsWith('-fill') ? 0 : lesion.textureAmplitude,
      sourceShiftMm,
      volumeMl: round(voxels * voxelVolumeMl, 1),
    });
  }
  return { seg, inserted };
}
