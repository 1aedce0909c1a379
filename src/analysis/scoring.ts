// A case's scoring job from its conformed arrays and cached quality maps (SPEC 4, 5.1-5.2 run in scoringJob.ts).
import type { ConformedCase } from './caseStore.ts';
import type { ScoreMapSettings } from './keys.ts';
import type { QualityMaps, ScoringInputs, ScoringJob } from './scoringJob.ts';

/** A case's arrays a scoring job reads (shared, not copied). */
export function scoringInputs(conformed: ConformedCase, maps: QualityMaps): ScoringInputs {
  return { structural: maps.structural, l1: maps.l1, erodedBrainMask: conformed.erodedBrainMask, labels: conformed.labels, dims: conformed.image.dims };
}

/** A case's rescoring as a job any thread can run (the arrays are shared, not copied). */
export function scoringJob(conformed: ConformedCase, maps: QualityMaps, settings: ScoreMapSettings): ScoringJob {
  return { ...scoringInputs(conformed, maps), settings };
}
