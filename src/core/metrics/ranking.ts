// Threshold-free ranking metrics per volume: AUPRC (average precision) and AUROC, as sklearn computes them.

import { sortScores, type SortedScores } from './sortedScores.ts';

/**
 * Average precision exactly as sklearn's `average_precision_score`: AP = sum_n (R_n - R_{n-1}) P_n over the
 * distinct scores in descending order (tied voxels form one step), with no interpolation.
 * null when there is no anomalous voxel (sklearn warns and returns a meaningless value there).
 */
export function averagePrecisionFromSorted(sorted: SortedScores): number | null {
  if (sorted.positives === 0) return null;
  const { truePositives, falsePositives } = sorted;
  let sum = 0;
  let previousTp = 0;
  for (let i = 0; i < truePositives.length; i++) {
    const tp = truePositives[i];
    if (tp !== previousTp) {
      sum += ((tp - previousTp) * tp) / (tp + falsePositives[i]);
      previousTp = tp;
    }
  }
  return sum / sorted.positives;
}

/**
 * Area under the ROC curve as sklearn's `roc_auc_score`: trapezoid rule over the distinct-score steps,
 * so tied voxels count half. The sum is kept in exact integers (2 * area * P * N) and divided once.
 * null when the volume has no anomalous voxel or no normal voxel.
 */
export function aurocFromSorted(sorted: SortedScores): number | null {
  const { positives, negatives, truePositives, falsePositives } = sorted;
  if (positives === 0 || negatives === 0) return null;
  let twiceArea = 0;
  let previousTp = 0;
  let previousFp = 0;
  for (let i = 0; i < truePositives.length; i++) {
    const tp = truePositives[i];
    const fp = falsePositives[i];
    twiceArea += (fp - previousFp) * (tp + previousTp);
    previousTp = tp;
    previousFp = fp;
  }
  return twiceArea / (2 * positives * negatives);
}

/**
 * AUPRC of one map against its labels (sklearn `average_precision_score`).
 * @example
 * averagePrecision(new Float32Array([0.1, 0.4, 0.35, 0.8]), new Uint8Array([0, 0, 1, 1])); // 0.8333...
 */
export function averagePrecision(scores: Float32Array, labels: Uint8Array): number | null {
  return averagePrecisionFromSorted(sortScores(scores, labels));
}

/**
 * AUROC of one map against its labels (sklearn `roc_auc_score`).
 * @example
 * auroc(new Float32Array([0.1, 0.4, 0.35, 0.8]), new Uint8Array([0, 0, 1, 1])); // 0.75
 */
export function auroc(scores: Float32Array, labels: Uint8Array): number | null {
  return aurocFromSorted(sortScores(scores, labels));
}
