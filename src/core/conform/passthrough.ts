// Accepts volumes that are already on the conformed 96x96x50 grid (e.g. the shipped demo) without conforming them twice.
import { airStatistics } from '../air.ts';
import { FqlabError } from '../errors.ts';
import { PAPER_PROTOCOL } from '../protocol.ts';
import type { Volume } from '../volume.ts';
import { binaryMask } from './brainMask.ts';
import { checkSameGrid, type ConformInput, type ConformResult } from './conform.ts';
import type { ConformMapping } from './mapping.ts';
import { orientationCodes, closestCanonicalOrientation } from './orientation.ts';

/** The grid conformVolumes produces with its defaults (192 x 192 x 100 downsampled by 2). */
export const CONFORMED_GRID = PAPER_PROTOCOL.grid;

/**
 * Whether a loaded image is already on the conformed grid with [0, 1] values (e.g. the shipped demo), so it is
 * accepted as it is rather than conformed (and smoothed) again. The CLI and the workbench decide with this one rule.
 */
export function looksConformed(info: { dims: readonly number[]; min: number; max: number }): boolean {
  return info.dims.length === 3 && info.dims.every((d, a) => d === CONFORMED_GRID[a]) && info.min >= 0 && info.max <= 1;
}

/**
 * Takes an image (with optional brain mask and segmentation) that conformVolumes already produced: checks the grid
 * and the [0, 1] range, and returns it with an identity mapping (its own grid is the input grid). Conforming such a
 * volume again would halve its resolution once more. Without a mask the brain is image > 0. It is not smoothed:
 * such volumes were prepared elsewhere (the demo from templates), and smoothing belongs to the scan as read.
 */
export function acceptConformed(input: ConformInput): ConformResult {
  const { image, fileName } = input;
  const [nx, ny, nz] = image.dims;
  if (nx !== CONFORMED_GRID[0] || ny !== CONFORMED_GRID[1] || nz !== CONFORMED_GRID[2]) {
    throw new FqlabError('bad-argument', fileName,
      `is ${image.dims.join('x')}, not an already conformed ${CONFORMED_GRID.join('x')} volume; load it as a raw scan so it gets conformed.`);
  }
  let outside = 0;
  for (let i = 0; i < image.data.length; i++) if (image.data[i] < 0 || image.data[i] > 1) outside++;
  if (outside > 0) {
    throw new FqlabError('bad-argument', fileName,
      `has ${outside} voxels outside [0, 1], so it was not conformed by fqlab; load it as a raw scan so it gets conformed.`);
  }
  if (input.brainMask) checkSameGrid(image, input.brainMask, fileName, input.brainMaskFileName ?? 'its brain mask');
  if (input.seg) checkSameGrid(image, input.seg, fileName, input.segFileName ?? 'its segmentation');
  const brainMask: Volume = binaryMask(input.brainMask ?? { ...image, data: image.data.map((v) => (v > 0 ? 1 : 0)) });

  let sum = 0;
  let brainVoxels = 0;
  for (let i = 0; i < image.data.length; i++) {
    if (brainMask.data[i] === 0) continue;
    sum += image.data[i];
    brainVoxels++;
  }
  if (brainVoxels === 0) throw new FqlabError('empty-mask', fileName, 'has no brain voxel (mask empty and image all 0); check the files.');

  const dims: [number, number, number] = [nx, ny, nz];
  const mapping: ConformMapping = {
    inputDims: dims,
    inputAffine: Array.from(image.affine),
    inputSpacing: [image.spacing[0], image.spacing[1], image.spacing[2]],
    canonicalAxes: [0, 1, 2],
    canonicalFlips: [false, false, false],
    bboxStart: [0, 0, 0],
    bboxEnd: dims,
    cropOrPadOffset: [0, 0, 0],
    targetShape: dims,
    downsample: 1,
    conformedDims: dims,
    conformedAffine: Array.from(image.affine),
  };
  return {
    image: { ...image, data: Float32Array.from(image.data) },
    brainMask,
    seg: input.seg ?? null,
    mapping,
    stats: {
      meanBrainIntensity: sum / brainVoxels,
      brainVoxels,
      clipLow: 0,
      clipHigh: 1,
      inputOrientation: orientationCodes(closestCanonicalOrientation(image.affine)),
      air: airStatistics(image.data, brainMask.data, input.seg?.data ?? null),
      smoothing: null,
    },
  };
}
