// The display window of a quality map: 0 up to twice the decision threshold, else up to the 99th percentile inside the brain.
import type { ThresholdSource } from '../../../workers/api.ts';

/** Upper percentile of the brain's map values used when no threshold applies to the map (SSIM-loss, l1, FQ before scoring). */
export const WINDOW_PERCENTILE = 0.99;
/** The window ends at this multiple of the threshold, so voxels at the threshold sit mid-scale. */
export const WINDOW_THRESHOLD_FACTOR = 2;

export interface MapWindow {
  min: number;
  max: number;
  /** What the upper end is, in words, for the colorbar ("2 × threshold 0.153 (validation-search)"). */
  basis: string;
}

/** The value at quantile q (0..1) of the values where mask is non-zero; 0 when the mask is empty. */
export function quantileInMask(values: ArrayLike<number>, mask: ArrayLike<number>, q: number): number {
  // A typed array sorts numerically in native code, far faster than a number[] with a comparator.
  const buffer = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (mask[i] !== 0 && Number.isFinite(values[i])) buffer[n++] = values[i];
  if (n === 0) return 0;
  const inside = buffer.subarray(0, n).sort();
  return inside[Math.min(n - 1, Math.floor(q * (n - 1)))];
}

/**
 * The window for a map: [0, 2 x threshold] when a threshold was chosen for this very map, else [0, 99th percentile of
 * the map inside the brain]; never an empty window.
 */
export function mapWindow(values: ArrayLike<number>, brainMask: ArrayLike<number>, threshold: { value: number; source: ThresholdSource } | null): MapWindow {
  if (threshold !== null && threshold.value > 0) {
    return {
      min: 0,
      max: WINDOW_THRESHOLD_FACTOR * threshold.value,
      basis: `${WINDOW_THRESHOLD_FACTOR} × threshold ${threshold.value.toPrecision(3)} (${threshold.source})`,
    };
  }
  const top = quantileInMask(values, brainMask, WINDOW_PERCENTILE);
  return { min: 0, max: top > 0 ? top : 1, basis: `${Math.round(WINDOW_PERCENTILE * 100)}th percentile inside the brain` };
}
