// The SPEC 5.1-5.2 post-processing of an anomaly map: keep the eroded brain only, then a 3D median filter.
import { PAPER_PROTOCOL } from '../protocol.ts';
import type { Dims3 } from '../volume.ts';
import { assertGridLength } from '../quality/gridCheck.ts';
import { erodeMask2D } from './erosion.ts';
import { medianFilter3D } from './median.ts';

/** Post-processing knobs; the defaults are the reference's. */
export interface PostprocessOptions {
  /** 2D cross erosions of the brain mask per slice (default 3); 0 applies the mask uneroded. */
  erosionIterations?: number;
  /** Side of the cubic median window (odd, default 5); 0 or 1 skips the median filter. */
  medianSize?: number;
}

/**
 * map * erodeMask2D(brainMask), then medianFilter3D: the score that AUPRC, thresholds and Dice use.
 * @example const score = postprocessMap(fq, brainMask, [96, 96, 50]);
 */
export function postprocessMap(
  map: Float32Array,
  brainMask: ArrayLike<number>,
  dims: Dims3,
  options: PostprocessOptions = {},
): Float32Array {
  assertGridLength(map.length, dims, 'postprocessMap map');
  assertGridLength(brainMask.length, dims, 'postprocessMap brain mask');
  const { erosionIterations = PAPER_PROTOCOL.postprocess.brainMaskErosions, medianSize = PAPER_PROTOCOL.postprocess.medianSize } = options;
  if (medianSize !== 0 && (!Number.isInteger(medianSize) || medianSize % 2 === 0 || medianSize < 0)) {
    throw new RangeError(`postprocessMap: medianSize must be 0 or an odd positive integer, got ${medianSize}`);
  }
  // With no erosion the mask is applied as it is (any non-zero value is brain), without a binarised copy.
  const brain = erosionIterations === 0 ? brainMask : erodeMask2D(brainMask, dims, erosionIterations);
  const masked = new Float32Array(map.length);
  for (let p = 0; p < map.length; p++) masked[p] = brain[p] !== 0 ? map[p] : 0;
  return medianSize > 1 ? medianFilter3D(masked, dims, medianSize) : masked;
}
