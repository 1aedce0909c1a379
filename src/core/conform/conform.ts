// The conform pipeline (SPEC 1): any skull-stripped scan -> the canonical 96 x 96 x 50 grid the model sees, with its way back.
import { airStatistics, type AirStatistics } from '../air.ts';
import { FqlabError } from '../errors.ts';
import type { Dims3, Volume } from '../volume.ts';
import { backgroundIntensity, binaryMask, deriveBrainMask } from './brainMask.ts';
import { canonicalBox, orientedBlock } from './block.ts';
import { brainBoundingBox, cropOrPadOffset } from './crop.ts';
import { CURVATURE_FLOW_REFERENCE, curvatureFlow, type CurvatureFlowOptions } from './curvatureFlow.ts';
import { downsample2 } from './downsample.ts';
import { gridMismatch } from './grid.ts';
import { percentileClipNormalize } from './intensity.ts';
import type { ConformMapping } from './mapping.ts';
import { closestCanonicalOrientation, orientationCodes } from './orientation.ts';

/** Knobs of conform; defaults are the reference's. */
export interface ConformOptions {
  /** Grid after crop-or-pad, before downsampling (x, y, axial). Default [192, 192, 100]. */
  targetShape?: readonly [number, number, number];
  /** Brain-voxel percentiles mapped to 0 and 1. Default [1, 99]. */
  percentiles?: readonly [number, number];
  /** 2 halves the grid (default; 96 x 96 x 50), 1 keeps it. */
  downsample?: 1 | 2;
  /** Image interpolation for the downsampling. Default 'linear' (the reference uses 'bspline'). */
  imageInterpolation?: 'linear' | 'bspline';
  /** Curvature-flow smoothing of the image as read (SPEC 1 step 0); null switches it off. Default CURVATURE_FLOW_REFERENCE. */
  smoothing?: Readonly<CurvatureFlowOptions> | null;
}

/** One scan to conform: the image and, on exactly its grid, an optional brain mask and segmentation. */
export interface ConformInput {
  image: Volume;
  /** Non-zero = brain. Without one: image > background (see deriveBrainMask). */
  brainMask?: Volume;
  /** Non-zero = anomaly. */
  seg?: Volume;
  /** Image file name, for messages. */
  fileName: string;
  /** Brain mask and segmentation file names, for messages (default: "its brain mask" / "its segmentation"). */
  brainMaskFileName?: string;
  segFileName?: string;
}

/** Numbers about one conformed scan, for the UI, the CLI and the AIR decision. */
export interface ConformStats {
  /** Mean of the conformed [0, 1] image over the conformed brain mask. */
  meanBrainIntensity: number;
  /** Brain voxels on the conformed grid. */
  brainVoxels: number;
  /** Input intensities at the low / high brain percentiles (mapped to 0 / 1). */
  clipLow: number;
  clipHigh: number;
  /** Input axis codes, e.g. 'LAS'. */
  inputOrientation: string;
  air: AirStatistics;
  /** The curvature-flow smoothing applied to the image as read, or null when none was. */
  smoothing: CurvatureFlowOptions | null;
}

export interface ConformResult {
  image: Volume;
  /** 0 / 1. */
  brainMask: Volume;
  /** Labels as given (nearest), or null without a segmentation. */
  seg: Volume | null;
  mapping: ConformMapping;
  stats: ConformStats;
}

export function checkSameGrid(image: Volume, other: Volume, fileName: string, otherName: string): void {
  const what = gridMismatch(image, other, 'the image');
  if (what === null) return;
  throw new FqlabError(
    'grid-mismatch',
    fileName,
    `${otherName} ${what}. The image, brain mask and segmentation must share one voxel grid: resample ${otherName} onto the image (nearest neighbour) or pick the file that belongs to this image.`,
  );
}

function checkOptions(
  targetShape: Dims3,
  percentiles: readonly [number, number],
  factor: number,
  fileName: string,
): void {
  if (!targetShape.every((n) => Number.isInteger(n) && n >= factor)) {
    throw new FqlabError('bad-argument', fileName, `target shape ${targetShape.join('x')} must be whole numbers of at least ${factor}.`);
  }
  if (!(percentiles[0] >= 0 && percentiles[0] < percentiles[1] && percentiles[1] <= 100)) {
    throw new FqlabError('bad-argument', fileName, `clip percentiles ${percentiles.join(', ')} must satisfy 0 <= low < high <= 100.`);
  }
  if (factor !== 1 && factor !== 2) {
    throw new FqlabError('bad-argument', fileName, `downsample factor ${factor} must be 1 or 2.`);
  }
}

/**
 * Conform one scan (SPEC 1):
 * 0. smooth the image as read by curvature flow (ITK's CurvatureFlowImageFilter, as the reference's reader does;
 *    never the mask or segmentation); without a brain mask the brain is then the smoothed image above the input's
 *    background value, as the reference takes smoothed image > 0;
 * 1. reorient to canonical RAS+ voxel order (axis permutation and flips only; nibabel.as_closest_canonical);
 * 2. crop to the brain mask's bounding box;
 * 3. centre crop-or-pad with zeros to targetShape (torchio.CropOrPad: an odd voxel is cropped / padded at the start);
 * 4. clip to the brain percentiles and min-max to [0, 1] over brain voxels of the step-3 grid; background 0;
 * 5. downsample by 2 (output voxel m at input coordinate 2m + 0.5): image 'linear' (2x2x2 mean) or 'bspline'
 *    (cubic, mirror), mask and labels nearest (input voxel 2m + 1); then the image is clipped to [0, 1] (B-spline
 *    overshoot) and set to 0 outside the downsampled brain mask, so background is exactly 0.
 * Every step keeps world positions exactly; `mapping` leads back to the input grid (mapToInputGrid).
 * Throws FqlabError 'grid-mismatch' when mask or segmentation are not on the image's grid (dims, or corners more
 * than 1e-3 mm apart), 'empty-mask' when there is no brain, and 'bad-argument' for impossible options.
 */
export function conformVolumes(input: ConformInput, options: ConformOptions = {}): ConformResult {
  const targetShape: Dims3 = options.targetShape ?? [192, 192, 100];
  const percentiles = options.percentiles ?? [1, 99];
  const factor = options.downsample ?? 2;
  const imageInterpolation = options.imageInterpolation ?? 'linear';
  const smoothing = options.smoothing === undefined ? CURVATURE_FLOW_REFERENCE : options.smoothing;
  const { fileName } = input;
  checkOptions(targetShape, percentiles, factor, fileName);
  const maskName = input.brainMaskFileName ?? 'its brain mask';
  const segName = input.segFileName ?? 'its segmentation';
  if (input.brainMask) checkSameGrid(input.image, input.brainMask, fileName, maskName);
  if (input.seg) checkSameGrid(input.image, input.seg, fileName, segName);
  const image = smoothing ? curvatureFlow(input.image, smoothing, fileName) : input.image;

  const orientation = closestCanonicalOrientation(image.affine);
  // The bounding box is found on the input grid and moved to the canonical one, so the full volumes are never
  // copied: steps 1-3 then run as one oriented copy of the target block per volume.
  const maskSource = input.brainMask ?? deriveBrainMask(image, backgroundIntensity(input.image));
  const inputBox = brainBoundingBox(maskSource);
  if (inputBox === null) {
    const problem = input.brainMask
      ? `${maskName} is empty (no non-zero voxel). Check that you picked the brain mask of this image.`
      : 'no brain voxel found (without a brain mask the brain is every voxel above the background value, 0 or the constant minimum of z-scored data). Give a brain mask, or skull-strip the image first.';
    throw new FqlabError('empty-mask', fileName, problem);
  }
  const box = canonicalBox(inputBox, image.dims, orientation);
  const boxDims: Dims3 = [box.end[0] - box.start[0], box.end[1] - box.start[1], box.end[2] - box.start[2]];
  const offset = cropOrPadOffset(boxDims, targetShape);
  // The target block starts at bbox start + crop-or-pad offset; what lies outside the bounding box is zero
  // padding, exactly as when cropping first and padding after.
  const start = [box.start[0] + offset[0], box.start[1] + offset[1], box.start[2] + offset[2]] as const;
  const block = (volume: Volume): Volume => orientedBlock(volume, orientation, start, targetShape, box);
  const mask3 = binaryMask(block(maskSource));
  const image3 = block(image);
  const seg3 = input.seg ? block(input.seg) : null;
  if (!mask3.data.some((v) => v !== 0)) {
    throw new FqlabError(
      'empty-mask',
      fileName,
      `no brain voxel is left after centring the brain in a ${targetShape.join('x')} grid. Check the brain mask.`,
    );
  }

  const normalized = percentileClipNormalize(image3, mask3, percentiles);
  const brainMask = factor === 2 ? downsample2(mask3, 'nearest') : mask3;
  const seg = seg3 && factor === 2 ? downsample2(seg3, 'nearest') : seg3;
  const conformed = factor === 2 ? downsample2(normalized.volume, imageInterpolation) : normalized.volume;
  const data = conformed.data;
  let sum = 0;
  let brainVoxels = 0;
  for (let i = 0; i < data.length; i++) {
    if (brainMask.data[i] === 0) {
      data[i] = 0;
      continue;
    }
    const x = data[i] < 0 ? 0 : data[i] > 1 ? 1 : data[i];
    data[i] = x;
    sum += x;
    brainVoxels++;
  }

  const mapping: ConformMapping = {
    inputDims: [image.dims[0], image.dims[1], image.dims[2]],
    inputAffine: Array.from(image.affine),
    inputSpacing: [image.spacing[0], image.spacing[1], image.spacing[2]],
    canonicalAxes: [...orientation.axes] as [number, number, number],
    canonicalFlips: [...orientation.flips] as [boolean, boolean, boolean],
    bboxStart: [box.start[0], box.start[1], box.start[2]],
    bboxEnd: [box.end[0], box.end[1], box.end[2]],
    cropOrPadOffset: offset,
    targetShape: [targetShape[0], targetShape[1], targetShape[2]],
    downsample: factor,
    conformedDims: [conformed.dims[0], conformed.dims[1], conformed.dims[2]],
    conformedAffine: Array.from(conformed.affine),
  };
  return {
    image: conformed,
    brainMask,
    seg,
    mapping,
    stats: {
      meanBrainIntensity: brainVoxels > 0 ? sum / brainVoxels : 0,
      brainVoxels,
      clipLow: normalized.clipLow,
      clipHigh: normalized.clipHigh,
      inputOrientation: orientationCodes(orientation),
      air: airStatistics(data, brainMask.data, seg?.data ?? null),
      smoothing: smoothing ? { timeStep: smoothing.timeStep, iterations: smoothing.iterations } : null,
    },
  };
}
