// The fusion-quality (FQ) map alpha * SSIM loss + (1 - alpha) * l1 (SPEC 4; MS-SSIM or GMS loss may stand in for SSIM), recomputed on every alpha change.

import { PAPER_PROTOCOL } from '../protocol.ts';
import { assertSameLength } from './gridCheck.ts';

/** The paper's default weight of the SSIM loss in the FQ map. */
export const DEFAULT_FQ_ALPHA = PAPER_PROTOCOL.fqAlpha;

/**
 * Blends a precomputed structural loss map (SSIM loss, or MS-SSIM / GMS loss) and the l1 map; alpha = 0 gives the
 * plain l1 baseline, alpha = 1 the structural loss alone.
 * Pass `out` to reuse a buffer while a slider moves.
 * @example const fq = fqMap(ssimLossMap(x, xHat, dims), l1Map(x, xHat), 0.84);
 */
export function fqMap(structural: Float32Array, l1: Float32Array, alpha: number, out?: Float32Array): Float32Array {
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new RangeError(`fqMap: alpha must be within [0, 1], got ${alpha}`);
  }
  assertSameLength(structural, l1, 'fqMap');
  const result = out ?? new Float32Array(l1.length);
  assertSameLength(result, l1, 'fqMap output');
  const beta = 1 - alpha;
  for (let p = 0; p < l1.length; p++) result[p] = alpha * structural[p] + beta * l1[p];
  return result;
}
