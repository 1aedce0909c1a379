// Dice overlap, binarisation at a threshold, and the exact best-Dice threshold over all distinct scores.

import { FqlabError } from '../errors.ts';
import { nextFloat32Below } from './floatKeys.ts';
import { sortScores, type ScoredVolume, type SortedScores } from './sortedScores.ts';

/**
 * The prediction `score > threshold` as 0/1 voxels. Every threshold fqlab reports follows this
 * strict convention (as the reference's `diff_volume > thresh`).
 */
export function binarize(scores: Float32Array, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] > threshold ? 1 : 0;
  return out;
}

/** Dice from counts: 2 TP / (|P| + |G|); null when |G| = 0 (undefined Dice; the reference gives NaN or 0). */
export function diceFromCounts(truePositives: number, predicted: number, truth: number): number | null {
  if (truth === 0) return null;
  return (2 * truePositives) / (predicted + truth);
}

/**
 * Dice = 2 |P n G| / (|P| + |G|) of two binary volumes (any nonzero = 1); null when the truth is empty.
 * @example
 * dice(new Uint8Array([1, 1, 0]), new Uint8Array([1, 0, 0])); // 2/3
 */
export function dice(pred: Uint8Array, truth: Uint8Array): number | null {
  if (pred.length !== truth.length) {
    throw new FqlabError(
      'grid-mismatch',
      'segmentation',
      `prediction has ${pred.length} voxels but the segmentation has ${truth.length}; compare them on the same grid`,
    );
  }
  let predicted = 0;
  let truthCount = 0;
  let both = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i] !== 0;
    const g = truth[i] !== 0;
    if (p) predicted++;
    if (g) truthCount++;
    if (p && g) both++;
  }
  return diceFromCounts(both, predicted, truthCount);
}

/** The best Dice over all thresholds and the threshold giving it. */
export interface BestDice {
  dice: number | null;
  /** Predictions are `score > threshold`; see bestDiceFromSorted for the convention. */
  threshold: number;
}

/**
 * Exact best Dice over every distinct score, in one sweep.
 * Each candidate prediction is "score >= s" for a distinct score s; it is reported as the threshold
 * t = the next-lower distinct score (so `score > t` is the same set), or, when every voxel is predicted, the
 * largest float32 below the minimum score. Ties keep the highest threshold (the smallest prediction).
 * Without anomalous voxels Dice is null and the threshold is the maximum score (predict nothing; 0 if no voxels).
 */
export function bestDiceFromSorted(sorted: SortedScores): BestDice {
  const { thresholds, truePositives, falsePositives, positives } = sorted;
  if (positives === 0) return { dice: null, threshold: thresholds.length > 0 ? thresholds[0] : 0 };
  let best = -1;
  let bestIndex = 0;
  for (let i = 0; i < thresholds.length; i++) {
    const tp = truePositives[i];
    const d = (2 * tp) / (tp + falsePositives[i] + positives);
    if (d > best) {
      best = d;
      bestIndex = i;
    }
  }
  const threshold =
    bestIndex + 1 < thresholds.length ? thresholds[bestIndex + 1] : nextFloat32Below(thresholds[bestIndex]);
  return { dice: best, threshold };
}

/**
 * Per-volume best Dice (an oracle: the threshold is tuned on the volume itself, so label it as such).
 * @example
 * bestDice({ scores: fqMap, labels }); // { dice: 0.61, threshold: 0.183 }
 */
export function bestDice(volume: ScoredVolume): BestDice {
  return bestDiceFromSorted(sortScores(volume.scores, volume.labels));
}
