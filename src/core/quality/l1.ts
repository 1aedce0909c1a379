// The l1 quality map |x - x_hat| (SPEC 4): the pDDPM baseline's anomaly score.

import { assertSameLength } from './gridCheck.ts';

/**
 * Voxel-wise absolute difference between an image and its reconstruction.
 * @example const l1 = l1Map(input, reconstruction);
 */
export function l1Map(x: Float32Array, y: Float32Array, out?: Float32Array): Float32Array {
  assertSameLength(x, y, 'l1Map');
  const result = out ?? new Float32Array(x.length);
  assertSameLength(result, x, 'l1Map output');
  for (let p = 0; p < x.length; p++) result[p] = Math.abs(x[p] - y[p]);
  return result;
}
