// Evaluation metrics and thresholds of the science core: one module used by the worker, the CLI and benchmarks.

export { labelsFromSegmentation } from './labels.ts';
export {
  sortScores,
  sortPooledScores,
  countAbove,
  type ScoredVolume,
  type SortedScores,
  type PredictionCounts,
} from './sortedScores.ts';
export { averagePrecision, auroc, averagePrecisionFromSorted, aurocFromSorted } from './ranking.ts';
export { binarize, dice, diceFromCounts, bestDice, bestDiceFromSorted, type BestDice } from './dice.ts';
export {
  referenceThresholdSearch,
  referenceThresholdSearchSorted,
  exactBestDiceThreshold,
  fprThreshold,
  FPR_TARGETS,
  type Threshold,
  type ThresholdSource,
} from './thresholds.ts';
export {
  precisionRecallCurve,
  rocCurve,
  precisionRecallCurveFromSorted,
  rocCurveFromSorted,
  type PrecisionRecallCurve,
  type RocCurve,
} from './curves.ts';
export { evaluateVolume, evaluateLabelled, filteredDice, rankingFromSorted, type VolumeMetrics } from './evaluate.ts';
export { summarize, type Summary } from './summary.ts';
