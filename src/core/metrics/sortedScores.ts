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

/** float32Key of +0 and -0: scores of the masked background, counted apart instead of sorted. */
const ZERO_KEY = 0x80000000;

/**
 * Sorts the voxels of several volumes pooled together (as the reference pools its validation set). Zero scores,
 * usually most of a post-processed map, are only counted; the rest is radix-sorted.
 */
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
  let posZeros = 0;
  let negZeros = 0;
  for (const [v, { scores, labels }] of volumes.entries()) {
    const bits = float32Bits(scores);
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i];
      if (isNonFiniteBits(b)) throw nonFiniteScoreError(`volume ${v + 1} anomaly map`);
      if ((b & 0x7fffffff) === 0) {
        if (labels[i] !== 0) posZeros++;
        else negZeros++;
      } else if (labels[i] !== 0) posKeys[p++] = float32Key(b);
      else negKeys[q++] = float32Key(b);
    }
  }
  const pos = radixSortKeys(posKeys.subarray(0, p), new Uint32Array(p));
  const neg = radixSortKeys(negKeys.subarray(0, q), new Uint32Array(q));
  return mergeDescending(pos, posZeros, neg, negZeros, positives, negatives);
}

/**
 * Walks both ascending lists of non-zero keys from the top, one step per distinct key, with the counted zeros as
 * one more step where they belong.
 */
function mergeDescending(
  pos: Uint32Array,
  posZeros: number,
  neg: Uint32Array,
  negZeros: number,
  positives: number,
  negatives: number,
): SortedScores {
  const capacity = pos.length + neg.length + 1;
  const thresholdBits = new Uint32Array(capacity);
  const truePositives = new Uint32Array(capacity);
  const falsePositives = new Uint32Array(capacity);
  let zerosLeft = posZeros + negZeros > 0;
  let tp = 0;
  let fp = 0;
  let d = 0;
  for (let i = pos.length - 1, j = neg.length - 1; i >= 0 || j >= 0 || zerosLeft; d++) {
    const kp = i >= 0 ? pos[i] : -1;
    const kn = j >= 0 ? neg[j] : -1;
    const k = kp > kn ? kp : kn;
    if (zerosLeft && k < ZERO_KEY) {
      zerosLeft = false;
      tp += posZeros;
      fp += negZeros;
      thresholdBits[d] = keyToFloat32Bits(ZERO_KEY);
    } else {
      while (i >= 0 && pos[i] === k) {
        i--;
        tp++;
      }
      while (j >= 0 && neg[j] === k) {
        j--;
        fp++;
      }
      thresholdBits[d] = keyToFloat32Bits(k);
    }
    truePositives[d] = tp;
    falsePositives[d] = fp;
  }
  return {
    thresholds: new Float32Array(thresholdBits.buffer, 0, d).slice(),
    truePositives: truePositives.slice(0, d),
    falsePositives: falsePositives.slice(0, d),
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
