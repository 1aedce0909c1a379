// Step 4 of conform: clip to brain percentiles and min-max to [0, 1], background to 0.
import type { Volume } from '../volume.ts';
import { percentilesInPlace } from './percentile.ts';

/** The normalised image and the input intensities it was clipped to. */
export interface NormalizedImage {
  readonly volume: Volume;
  /** Intensity (input units) mapped to 0: the low percentile of brain voxels. */
  readonly clipLow: number;
  /** Intensity (input units) mapped to 1: the high percentile of brain voxels. */
  readonly clipHigh: number;
}

/**
 * Brain voxels (mask != 0): x -> (clip(x, pLow, pHigh) - pLow) / (pHigh - pLow), with pLow and pHigh the
 * percentiles (numpy 'linear') of the brain voxels; everything outside the mask becomes 0. When the brain is
 * constant (pHigh == pLow) there is no contrast to scale and brain voxels become 0 (as sklearn's MinMaxScaler
 * does), never NaN. Throws RangeError for an empty mask.
 */
export function percentileClipNormalize(
  image: Volume,
  brainMask: Volume,
  percentiles: readonly [number, number] = [1, 99],
): NormalizedImage {
  const src = image.data;
  const mask = brainMask.data;
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) count++;
  const brain = new Float32Array(count);
  for (let i = 0, o = 0; i < mask.length; i++) if (mask[i] !== 0) brain[o++] = src[i];
  const [clipLow, clipHigh] = percentilesInPlace(brain, percentiles);
  const range = clipHigh - clipLow;
  const data = new Float32Array(src.length);
  if (range > 0) {
    for (let i = 0; i < src.length; i++) {
      if (mask[i] === 0) continue;
      const x = src[i];
      data[i] = ((x < clipLow ? clipLow : x > clipHigh ? clipHigh : x) - clipLow) / range;
    }
  }
  return { volume: { ...image, data }, clipLow, clipHigh };
}
