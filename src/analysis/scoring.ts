// Anomaly maps from cached quality maps: FQ / structural loss / l1 (SPEC 4), then the SPEC 5.1-5.2 post-processing.
import type { ConformedCase } from './caseStore.ts';
import type { ScoreMapSettings } from './keys.ts';
import { postprocessedScoreMap, type QualityMaps, type ScoringInputs, type ScoringJob } from './scoringJob.ts';

/** A case's arrays a scoring job reads (shared, not copied). */
export function scoringInputs(conformed: ConformedCase, maps: QualityMaps): ScoringInputs {
  return { structural: maps.structural, l1: maps.l1, erodedBrainMask: conformed.erodedBrainMask, labels: conformed.labels, dims: conformed.image.dims };
}

/** A case's rescoring as a job any thread can run (the arrays are shared, not copied). */
export function scoringJob(conformed: ConformedCase, maps: QualityMaps, settings: ScoreMapSettings): ScoringJob {
  return { ...scoringInputs(conformed, maps), settings };
}

/**
 * The score AUPRC, thresholds and Dice use: the raw map times the case's eroded brain mask (eroded once per case),
 * then the 5x5x5 median filter. `scratch` (one volume of float32) avoids allocating the FQ map on every call.
 */
export function scoreMap(
  conformed: ConformedCase,
  maps: QualityMaps,
  settings: ScoreMapSettings,
  scratch?: Float32Array,
): Float32Array {
  return postprocessedScoreMap(scoringJob(conformed, maps, settings), scratch);
}
