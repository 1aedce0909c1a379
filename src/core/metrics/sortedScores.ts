// One sort of a map's voxels by score, shared by AUPRC, AUROC, curves and every Dice-vs-threshold question.

import { FqlabError } from '../errors.ts';
import {
  float32Bits,
  float32Key,
  isNonFiniteBits,
  keyToFloat32Bits,
  nonFiniteScoreError,
  radixSortKeys,
} from './floatKeys.ts';

/** An anomaly map with its voxel labels (1 = anomalous, 0 = normal; any nonzero counts as 1). */
export interface ScoredVolume {
  scores: Float32Array;
  labels: Uint8Array;
}

/**
 * The voxels grouped by distinct score, highest first: everything sklearn's `_binary_clf_curve` computes.
 * Voxels with equal scores form one step (one threshold), as in sklearn.
 */
export interface SortedScores {
  /** Distinct scores, strictly descending (-0 folded onto +0). */
  readonly thresholds: Float32Array;
  /** truePositives[i]: anomalous voxels with score >= thresholds[i]. */
  readonly truePositives: Uint32Array;
  /** falsePositives[i]: normal voxels with score >= thresholds[i]. */
  readonly falsePositives: Uint32Array;
  /** Anomalous voxels in total. */
  readonly positives: number;
  /** Normal voxels in total. */
  readonly negatives: number;
}

/**
 * Sorts one map's voxels by score (O(n) radix sort, no comparison sort).
 * @example
 * const sorted = sortScores(fqMap, labelsFromSegmentation(seg));
 * const ap = averagePrecisionFromSorted(sorted);
 */
export function sortScores(scores: Float32Array, labels: Uint8Array): SortedScores {
  return sortPooledScores([{ scores, labels }]);
}

/** Sorts the voxels of several volumes pooled together (as the reference pools its validation set). */
export function sortPooledScores(volumes: readonly ScoredVolume[]): SortedScores {
  let positives = 0;
  let total = 0;
  for (const [v, { scores, labels }] of volumes.entries()) {
    if (scores.length !== labels.length) {
      throw new FqlabError(
        'grid-mismatch',
        `volume ${v + 1}`,
        `anomaly map has ${scores.length} voxels but its labels have ${labels.length}; give both on the same grid`,
      );
    }
    for (let i = 0; i < labels.length; i++) if (labels[i] !== 0) positives++;
    total += labels.length;
  }
  const negatives = total - positives;
  const posKeys = new Uint32Array(positives);
  const negKeys = new Uint32Array(negatives);
  let p = 0;
  let q = 0;
  for (const [v, { scores, labels }] of volumes.entries()) {
    const bits = float32Bits(scores);
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i];
      if (isNonFiniteBits(b)) throw nonFiniteScoreError(`volume ${v + 1} anomaly map`);
      if (labels[i] !== 0) posKeys[p++] = float32Key(b);
      else negKeys[q++] = float32Key(b);
    }
  }
  const pos = radixSortKeys(posKeys, new Uint32Array(positives));
  const neg = radixSortKeys(negKeys, new Uint32Array(negatives));
  return mergeDescending(pos, neg, positives, negatives);
}

/** Walks both ascending key lists from the top, one step per distinct key. */
function mergeDescending(pos: Uint32Array, neg: Uint32Array, positives: number, negatives: number): SortedScores {
  let distinct = 0;
  for (let i = positives - 1, j = negatives - 1; i >= 0 || j >= 0; distinct++) {
    const kp = i >= 0 ? pos[i] : -1;
    const kn = j >= 0 ? neg[j] : -1;
    const k = kp > kn ? kp : kn;
    while (i >= 0 && pos[i] === k) i--;
    while (j >= 0 && neg[j] === k) j--;
  }
  const thresholdBits = new Uint32Array(distinct);
  const truePositives = new Uint32Array(distinct);
  const falsePositives = new Uint32Array(distinct);
  let tp = 0;
  let fp = 0;
  for (let i = positives - 1, j = negatives - 1, d = 0; d < distinct; d++) {
    const kp = i >= 0 ? pos[i] : -1;
    const kn = j >= 0 ? neg[j] : -1;
    const k = kp > kn ? kp : kn;
    while (i >= 0 && pos[i] === k) {
      i--;
      tp++;
    }
    while (j >= 0 && neg[j] === k) {
      j--;
      fp++;
    }
    thresholdBits[d] = keyToFloat32Bits(k);
    truePositives[d] = tp;
    falsePositives[d] = fp;
  }
  return {
    thresholds: new Float32Array(thresholdBits.buffer),
    truePositives,
    falsePositives,
    positives,
    negatives,
  };
}

/** Voxel counts of the prediction `score > threshold`. */
export interface PredictionCounts {
  predicted: number;
  truePositives: number;
}

/** Counts of `score > threshold` by binary search over the distinct scores (O(log n), no rescan). */
export function countAbove(sorted: SortedScores, threshold: number): PredictionCounts {
  const { thresholds } = sorted;
  // First index whose score is <= threshold: everything before it is strictly above.
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] > threshold) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return { predicted: 0, truePositives: 0 };
  const tp = sorted.truePositives[lo - 1];
  return { predicted: tp + sorted.falsePositives[lo - 1], truePositives: tp };
}
