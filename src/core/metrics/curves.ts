// Precision-recall and ROC curve points for plotting, downsampled to a bounded number of points.

import { sortScores, type SortedScores } from './sortedScores.ts';

/** Points of a precision-recall curve in sklearn's order (thresholds ascending, ending at precision 1, recall 0). */
export interface PrecisionRecallCurve {
  precision: Float64Array;
  recall: Float64Array;
  /** thresholds[j] belongs to point j; the final (1, 0) point has none, so this is one shorter. */
  thresholds: Float64Array;
}

/** Points of a ROC curve in sklearn's order: (0, 0) at threshold +Infinity, then thresholds descending. */
export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  thresholds: Float64Array;
}

/**
 * Indices 0..count-1 to keep so that at most maxPoints remain, spread evenly along the polyline's length
 * (so steep and flat stretches both get points); the first and last point are always kept.
 */
function downsampleIndices(x: Float64Array, y: Float64Array, maxPoints: number): Uint32Array {
  const count = x.length;
  const limit = Math.max(2, Math.floor(maxPoints));
  if (count <= limit) return Uint32Array.from({ length: count }, (_, i) => i);
  const length = new Float64Array(count);
  for (let i = 1; i < count; i++) length[i] = length[i - 1] + Math.hypot(x[i] - x[i - 1], y[i] - y[i - 1]);
  const total = length[count - 1];
  const kept: number[] = [0];
  let i = 1;
  for (let j = 1; j < limit - 1; j++) {
    const target = (total * j) / (limit - 1);
    while (i < count - 1 && length[i] < target) i++;
    if (i >= count - 1) break;
    if (i > kept[kept.length - 1]) kept.push(i);
  }
  kept.push(count - 1);
  return Uint32Array.from(kept);
}

function pick(values: Float64Array, indices: Uint32Array): Float64Array {
  const out = new Float64Array(indices.length);
  for (let j = 0; j < indices.length; j++) out[j] = values[indices[j]];
  return out;
}

/**
 * sklearn's `precision_recall_curve` from sorted scores, then downsampled to <= maxPoints.
 * Empty when there is no anomalous voxel (recall is undefined).
 */
export function precisionRecallCurveFromSorted(sorted: SortedScores, maxPoints = 500): PrecisionRecallCurve {
  const { thresholds, truePositives, falsePositives, positives } = sorted;
  if (positives === 0) return { precision: new Float64Array(0), recall: new Float64Array(0), thresholds: new Float64Array(0) };
  const m = thresholds.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const ascending = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const i = m - 1 - j;
    const tp = truePositives[i];
    precision[j] = tp / (tp + falsePositives[i]);
    recall[j] = tp / positives;
    ascending[j] = thresholds[i];
  }
  precision[m] = 1;
  recall[m] = 0;
  const keep = downsampleIndices(recall, precision, maxPoints);
  return { precision: pick(precision, keep), recall: pick(recall, keep), thresholds: pick(ascending, keep.subarray(0, keep.length - 1)) };
}

/**
 * sklearn's `roc_curve(drop_intermediate=False)` from sorted scores (first threshold +Infinity, as sklearn >= 1.3),
 * downsampled to <= maxPoints. Empty when the volume lacks anomalous or normal voxels.
 */
export function rocCurveFromSorted(sorted: SortedScores, maxPoints = 500): RocCurve {
  const { thresholds, truePositives, falsePositives, positives, negatives } = sorted;
  if (positives === 0 || negatives === 0) return { fpr: new Float64Array(0), tpr: new Float64Array(0), thresholds: new Float64Array(0) };
  const m = thresholds.length;
  const fpr = new Float64Array(m + 1);
  const tpr = new Float64Array(m + 1);
  const at = new Float64Array(m + 1);
  at[0] = Infinity;
  for (let i = 0; i < m; i++) {
    fpr[i + 1] = falsePositives[i] / negatives;
    tpr[i + 1] = truePositives[i] / positives;
    at[i + 1] = thresholds[i];
  }
  const keep = downsampleIndices(fpr, tpr, maxPoints);
  return { fpr: pick(fpr, keep), tpr: pick(tpr, keep), thresholds: pick(at, keep) };
}

/**
 * Precision-recall curve of one map for plotting.
 * @example
 * const { precision, recall } = precisionRecallCurve(fqMap, labels); // <= 500 points
 */
export function precisionRecallCurve(scores: Float32Array, labels: Uint8Array, maxPoints = 500): PrecisionRecallCurve {
  return precisionRecallCurveFromSorted(sortScores(scores, labels), maxPoints);
}

/**
 * ROC curve of one map for plotting.
 * @example
 * const { fpr, tpr } = rocCurve(fqMap, labels); // <= 500 points
 */
export function rocCurve(scores: Float32Array, labels: Uint8Array, maxPoints = 500): RocCurve {
  return rocCurveFromSorted(sortScores(scores, labels), maxPoints);
}
