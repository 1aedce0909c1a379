// Per-case metrics, their mean and a precision-recall curve for a set of scored cases (SPEC 5.3-5.5).
import { evaluateLabelled, precisionRecallCurve, summarize } from '../core/metrics/index.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import type { CaseMetrics, DataSplit, EvaluationResult } from '../../workers/api.ts';
import type { ScoredCase, ThresholdChoice } from './thresholdChoice.ts';

/** Metrics of one case; all null without a segmentation. Uses the case's labels, derived once when it was conformed. */
export function caseMetrics(scored: ScoredCase, threshold: number | null): CaseMetrics {
  const { conformed, map } = scored;
  const base = { caseId: conformed.caseId, split: conformed.split };
  if (!conformed.labels) return { ...base, auprc: null, auroc: null, dice: null, bestDiceOracle: null };
  const m = evaluateLabelled(map, conformed.labels, conformed.image.dims, threshold ?? undefined);
  return { ...base, auprc: m.auprc, auroc: m.auroc, dice: m.dice, bestDiceOracle: m.bestDice };
}

/** The split the headline mean is over: test cases with lesions when there are any, else validation ones. */
export function meanSplit(scored: readonly ScoredCase[]): DataSplit | null {
  const withLesions = scored.filter((s) => s.conformed.anomalousVoxels > 0);
  if (withLesions.some((s) => s.conformed.split === 'test')) return 'test';
  if (withLesions.some((s) => s.conformed.split === 'validation')) return 'validation';
  return null;
}

/**
 * Evaluates scored cases at a threshold: metrics per case, means over `meanOver` (see meanSplit), and the PR curve
 * of `prCaseId` (else the first case of `meanOver` with lesions).
 */
export function evaluateScored(
  scored: readonly ScoredCase[],
  threshold: ThresholdChoice,
  prCaseId?: string,
): Omit<EvaluationResult, 'key' | 'elapsedMs'> {
  const cases = scored.map((s) => caseMetrics(s, threshold.value));
  const meanOver = meanSplit(scored);
  const inMean = cases.filter((c) => c.split === meanOver);
  const curveCase =
    scored.find((s) => s.conformed.caseId === prCaseId && s.conformed.anomalousVoxels > 0) ??
    scored.find((s) => s.conformed.split === meanOver && s.conformed.anomalousVoxels > 0);
  let prCurve: EvaluationResult['prCurve'] = null;
  if (curveCase) {
    const curve = precisionRecallCurve(curveCase.map, curveCase.conformed.labels as Uint8Array, PAPER_PROTOCOL.prCurvePoints);
    prCurve = { caseId: curveCase.conformed.caseId, precision: Array.from(curve.precision), recall: Array.from(curve.recall) };
  }
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
