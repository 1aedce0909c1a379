// Anomaly maps from cached quality maps: FQ / SSIM loss / l1 (SPEC 4), then the SPEC 5.1-5.2 post-processing.
import { postprocessMap } from '../core/postprocess/index.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import { fqMap } from '../core/quality/index.ts';
import type { ConformedCase } from './caseStore.ts';
import type { ScoreMapSettings } from './keys.ts';
import type { CachedReconstruction } from './reconstructionCache.ts';

/**
 * The raw anomaly map before post-processing: fqMap of the cached SSIM loss and l1 maps (written into `out` when
 * given), or one of the cached maps itself (not copied; do not modify it).
 */
export function rawScoreMap(entry: CachedReconstruction, settings: ScoreMapSettings, out?: Float32Array): Float32Array {
  if (settings.score === 'ssim') return entry.ssimLoss;
  if (settings.score === 'l1') return entry.l1;
  return fqMap(entry.ssimLoss, entry.l1, settings.alpha, out);
}

/**
 * The score AUPRC, thresholds and Dice use: the raw map times the case's eroded brain mask (eroded once per case),
 * then the 5x5x5 median filter. `scratch` (one volume of float32) avoids allocating the FQ map on every call.
 */
export function scoreMap(
  conformed: ConformedCase,
  entry: CachedReconstruction,
  settings: ScoreMapSettings,
  scratch?: Float32Array,
): Float32Array {
  const raw = rawScoreMap(entry, settings, scratch);
  return postprocessMap(raw, conformed.erodedBrainMask, conformed.image.dims, { erosionIterations: 0, medianSize: PAPER_PROTOCOL.postprocess.medianSize });
}
