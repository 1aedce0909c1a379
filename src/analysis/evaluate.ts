// Per-case metrics, their mean and a precision-recall curve for a set of scored cases (SPEC 5.3-5.5).
import { filteredDice, precisionRecallCurveFromSorted, summarize, type Summary } from '../core/metrics/index.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import type { AlphaChoice } from './alphaChoice.ts';
import type { DataSplit } from './caseStore.ts';
import type { MapKey } from './keys.ts';
import { rankedScores, type RankingMetrics } from './scoringJob.ts';
import { sortedScoresOf, type ScoredCase, type ThresholdChoice } from './thresholdChoice.ts';

/** Metrics of one case (SPEC 5.3-5.5); all null without a segmentation. */
export interface CaseMetrics {
  caseId: string;
  split: DataSplit;
  auprc: number | null;
  auroc: number | null;
  /** Dice at the chosen threshold after the small-component filter; null without a threshold. */
  dice: number | null;
  /** Best Dice over all thresholds of this case itself (an oracle, labelled as such). */
  bestDiceOracle: number | null;
}

/** A score of the cases reconstructed under one key: threshold, per-case metrics, their means and a PR curve. */
export interface EvaluationResult {
  /** What was scored: the reconstructions (model, noise level, seed) and the map (score kind, alpha, structural term). */
  key: MapKey;
  /** The alpha scored at (key.alpha) and where it came from: fixed, or chosen on the lesion validation cases over a grid. */
  alphaChoice: AlphaChoice;
  /** The binarisation threshold used for Dice; value is null (and Dice null) when its source has nothing to choose on. */
  threshold: ThresholdChoice;
  /** Every case reconstructed under the key (all splits). */
  cases: CaseMetrics[];
  /**
   * Validation and test cases with no reconstruction under the key, left out of the threshold and the means: not
   * reconstructed yet (a study scored while it fills), or evicted from the byte-budgeted reconstruction cache.
   */
  notReconstructed: string[];
  /** The split `mean` is over: 'test' when a test case has lesions, else 'validation'; null when no case has lesions. */
  meanOver: DataSplit | null;
  mean: { auprc: Summary; auroc: Summary; dice: Summary; bestDiceOracle: Summary };
  /** Precision-recall curve of one case (the one asked for, else the first case with lesions of the mean's split). */
  prCurve: { caseId: string; precision: number[]; recall: number[] } | null;
  elapsedMs: number;
}

/**
 * Metrics of one case; all null without a segmentation. Uses the case's labels, derived once when it was conformed,
 * and its threshold-free metrics when a scoring job already computed them.
 */
export function caseMetrics(scored: ScoredCase, threshold: number | null): CaseMetrics {
  const { conformed, map } = scored;
  const base = { caseId: conformed.caseId, split: conformed.split };
  const labels = conformed.labels;
  if (!labels) return { ...base, auprc: null, auroc: null, dice: null, bestDiceOracle: null };
  const ranking = scored.ranking ?? (rankedScores(map, labels).ranking as RankingMetrics);
  return { ...base, auprc: ranking.auprc, auroc: ranking.auroc, dice: thresholdDice(map, labels, conformed, threshold), bestDiceOracle: ranking.bestDiceOracle };
}

/** Dice at the threshold after the small-component filter (SPEC 5.4); null without a threshold or without lesions. */
function thresholdDice(map: Float32Array, labels: Uint8Array, conformed: ScoredCase['conformed'], threshold: number | null): number | null {
  if (threshold === null || conformed.anomalousVoxels === 0) return null;
  return filteredDice(map, threshold, labels, conformed.image.dims, conformed.anomalousVoxels);
}

/** The split the headline mean is over: test cases with lesions when there are any, else validation ones. */
export function meanSplit(scored: readonly Pick<ScoredCase, 'conformed'>[]): DataSplit | null {
  const withLesions = scored.filter((s) => s.conformed.anomalousVoxels > 0);
  if (withLesions.some((s) => s.conformed.split === 'test')) return 'test';
  if (withLesions.some((s) => s.conformed.split === 'validation')) return 'validation';
  return null;
}

/** The case whose PR curve is shown: `prCaseId` when it has lesions, else the first case with lesions of the mean's split. */
export function prCurveCase<C extends ScoredCase['conformed']>(cases: readonly C[], prCaseId?: string): C | null {
  const meanOver = meanSplit(cases.map((conformed) => ({ conformed })));
  return (
    cases.find((c) => c.caseId === prCaseId && c.anomalousVoxels > 0) ?? cases.find((c) => c.split === meanOver && c.anomalousVoxels > 0) ?? null
  );
}

/** The precision-recall curve of a scored case with lesions. */
export function prCurveOf(scored: ScoredCase): NonNullable<EvaluationResult['prCurve']> {
  const { conformed } = scored;
  const curve = precisionRecallCurveFromSorted(sortedScoresOf(scored), PAPER_PROTOCOL.prCurvePoints);
  return { caseId: conformed.caseId, precision: Array.from(curve.precision), recall: Array.from(curve.recall) };
}

/**
 * Evaluates scored cases at a threshold: metrics per case, means over `meanOver` (see meanSplit), and the PR curve
 * of `prCaseId` (else the first case of `meanOver` with lesions).
 */
export function evaluateScored(
  scored: readonly ScoredCase[],
  threshold: ThresholdChoice,
  prCaseId?: string,
): Omit<EvaluationResult, 'key' | 'alphaChoice' | 'notReconstructed' | 'elapsedMs'> {
  const cases = scored.map((s) => caseMetrics(s, threshold.value));
  const meanOver = meanSplit(scored);
  const inMean = cases.filter((c) => c.split === meanOver);
  const curveCase = prCurveCase(scored.map((s) => s.conformed), prCaseId);
  const prCurve = curveCase ? prCurveOf(scored.find((s) => s.conformed === curveCase) as ScoredCase) : null;
  return {
    threshold,
    cases,
    meanOver,
    mean: {
      auprc: summarize(inMean.map((c) => c.auprc)),
      auroc: summarize(inMean.map((c) => c.auroc)),
      dice: summarize(inMean.map((c) => c.dice)),
      bestDiceOracle: summarize(inMean.map((c) => c.bestDiceOracle)),
    },
    prCurve,
  };
}
