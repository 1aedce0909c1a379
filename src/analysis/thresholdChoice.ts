// Picks the binarisation threshold from its source (SPEC 5.4): validation search, exact best Dice, healthy FPR, manual.
import {
  exactBestDiceThreshold,
  fprThreshold,
  referenceThresholdSearchSorted,
  sortScores,
  type SortedScores,
  type Threshold,
  type ThresholdSource,
} from '../core/metrics/index.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import type { ConformedCase } from './caseStore.ts';
import type { RankingMetrics } from './scoringJob.ts';

/** Where the threshold comes from, with the value a manual threshold or an FPR target needs. */
export interface ThresholdSettings {
  thresholdSource: ThresholdSource;
  /** The threshold itself ('manual'). */
  manualThreshold?: number;
  /** The healthy-voxel false-positive rate to aim at ('fpr-target'; default PAPER_PROTOCOL.threshold.defaultFprTarget). */
  fprTarget?: number;
}

/** A case with its post-processed anomaly map (and its threshold-free metrics and sorted scores when a scoring job computed them). */
export interface ScoredCase {
  conformed: ConformedCase;
  map: Float32Array;
  ranking?: RankingMetrics | null;
  sorted?: SortedScores | null;
}

/** A labelled case's map sorted against its labels: the scoring job's, else sorted now. */
export function sortedScoresOf(scored: ScoredCase): SortedScores {
  return scored.sorted ?? sortScores(scored.map, scored.conformed.labels as Uint8Array);
}

/**
 * The core's threshold as the analysis chooses it: the value is null when its source has nothing to choose on, and a
 * note says why, or which cases it was chosen on when that is not the obvious set.
 */
export type ThresholdChoice = Omit<Threshold, 'value'> & { value: number | null; note?: string };

/** Validation cases with at least one anomalous voxel: the only place a Dice threshold may be tuned (never on test). */
export function anomalousValidationCases(scored: readonly ScoredCase[]): ScoredCase[] {
  return scored.filter((s) => s.conformed.split === 'validation' && s.conformed.anomalousVoxels > 0);
}

/**
 * Healthy volumes for an FPR threshold: validation cases without anomalous voxels; failing those, the healthy
 * training cases (which the model has seen, so their FPR is optimistic; the note says so).
 */
function healthyCases(scored: readonly ScoredCase[]): { cases: ScoredCase[]; note?: string } {
  const healthy = scored.filter((s) => s.conformed.anomalousVoxels === 0);
  const validation = healthy.filter((s) => s.conformed.split === 'validation');
  if (validation.length > 0) return { cases: validation };
  const training = healthy.filter((s) => s.conformed.split === 'healthy-train');
  if (training.length > 0) {
    return {
      cases: training,
      note: 'chosen on healthy training cases (no healthy validation case is reconstructed); their false-positive rate is optimistic',
    };
  }
  return { cases: [] };
}

/**
 * The threshold for the settings' source. Maps must be post-processed already. FPR counts voxels inside each case's
 * eroded brain mask (outside it every score is forced to 0).
 */
export function chooseThreshold(settings: ThresholdSettings, scored: readonly ScoredCase[]): ThresholdChoice {
  const source = settings.thresholdSource;
  if (source === 'manual') {
    const value = settings.manualThreshold;
    if (value === undefined || !Number.isFinite(value)) {
      return { value: null, source, note: 'give a manual threshold value' };
    }
    return { value, source };
  }
  if (source === 'fpr-target') {
    const fprTarget = settings.fprTarget ?? PAPER_PROTOCOL.threshold.defaultFprTarget;
    const { cases, note } = healthyCases(scored);
    if (cases.length === 0) {
      return {
        value: null,
        source,
        fprTarget,
        note: 'no reconstructed case without lesions; reconstruct healthy validation cases to set an FPR threshold',
      };
    }
    const threshold = fprThreshold(
      cases.map((s) => s.map),
      cases.map((s) => s.conformed.erodedBrainMask),
      fprTarget,
    );
    return note ? { ...threshold, note } : threshold;
  }
  const validation = anomalousValidationCases(scored);
  if (validation.length === 0) {
    return {
      value: null,
      source,
      note: 'no reconstructed validation case with lesions; mark cases with segmentations as validation and reconstruct them',
    };
  }
  if (source === 'validation-search') return referenceThresholdSearchSorted(validation.map(sortedScoresOf));
  return exactBestDiceThreshold(validation.map((s) => ({ scores: s.map, labels: s.conformed.labels as Uint8Array })));
}
