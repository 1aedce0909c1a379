// All per-volume metrics of one post-processed anomaly map against its segmentation, from a single sort.

import { FqlabError } from '../errors.ts';
import { keptForegroundCounts } from '../postprocess/index.ts';
import { voxelCount, type Dims3 } from '../volume.ts';
import { bestDiceFromSorted, diceFromCounts } from './dice.ts';
import { labelsFromSegmentation } from './labels.ts';
import { aurocFromSorted, averagePrecisionFromSorted } from './ranking.ts';
import { sortScores, type SortedScores } from './sortedScores.ts';

/** Metrics of one volume; null where undefined (no anomalous voxel, or no threshold given for Dice). */
export interface VolumeMetrics {
  /** Average precision over all voxels (sklearn average_precision_score). */
  auprc: number | null;
  auroc: number | null;
  /** Oracle: best Dice over all thresholds of this volume itself (no connected-component filter). */
  bestDice: number | null;
  /** Dice of `map > threshold` after removing 3D components of <= 7 voxels (26-connectivity). */
  dice: number | null;
}

function checkGrid(map: Float32Array, segLength: number, dims: Dims3, what: string): void {
  const n = voxelCount(dims);
  if (map.length !== n || segLength !== n) {
    throw new FqlabError(
      'grid-mismatch',
      'segmentation',
      `anomaly map has ${map.length} voxels and ${what} ${segLength}, but the grid ${dims.join(' x ')} has ${n}; evaluate both on the conformed grid`,
    );
  }
}

/**
 * Evaluates one map (already brain-masked and median-filtered) on its grid.
 * @example
 * evaluateVolume(fqMap, seg, [96, 96, 50], threshold.value); // { auprc, auroc, bestDice, dice }
 */
export function evaluateVolume(map: Float32Array, seg: ArrayLike<number>, dims: Dims3, threshold?: number): VolumeMetrics {
  checkGrid(map, seg.length, dims, 'segmentation');
  return evaluateLabelled(map, labelsFromSegmentation(seg), dims, threshold);
}

/**
 * evaluateVolume with the 0/1 labels already derived from the segmentation (labelsFromSegmentation), so a case
 * rescored on every slider move derives them once.
 * @example
 * evaluateLabelled(fqMap, conformed.labels, [96, 96, 50], threshold.value); // { auprc, auroc, bestDice, dice }
 */
export function evaluateLabelled(map: Float32Array, labels: Uint8Array, dims: Dims3, threshold?: number): VolumeMetrics {
  checkGrid(map, labels.length, dims, 'labels');
  const sorted = sortScores(map, labels);
  const diceAtThreshold = threshold === undefined || sorted.positives === 0 ? null : filteredDice(map, threshold, labels, dims);
  return { ...rankingFromSorted(sorted), dice: diceAtThreshold };
}

/** The metrics that need no threshold, from a volume's sorted scores (sortScores). */
export function rankingFromSorted(sorted: SortedScores): Omit<VolumeMetrics, 'dice'> {
  return { auprc: averagePrecisionFromSorted(sorted), auroc: aurocFromSorted(sorted), bestDice: bestDiceFromSorted(sorted).dice };
}

/**
 * Dice of `map > threshold` after removing 26-connected components of <= 7 voxels (SPEC 5.4), against 0/1 labels:
 * dice(removeSmallComponents(binarize(map, threshold), dims), labels) to the bit, without building those volumes.
 * `anomalousVoxels`, the labels' count of ones when the caller already has it (counted once per case), saves a pass.
 * @example filteredDice(fqMap, threshold.value, conformed.labels, [96, 96, 50]); // 0.41
 */
export function filteredDice(map: Float32Array, threshold: number, labels: Uint8Array, dims: Dims3, anomalousVoxels?: number): number | null {
  checkGrid(map, labels.length, dims, 'labels');
  const { predicted, truePositives } = keptForegroundCounts(map, threshold, labels, dims);
  return diceFromCounts(truePositives, predicted, anomalousVoxels ?? foregroundCount(labels));
}

function foregroundCount(labels: Uint8Array): number {
  let count = 0;
  for (let p = 0; p < labels.length; p++) if (labels[p] !== 0) count++;
  return count;
}
