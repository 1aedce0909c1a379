// All per-volume metrics of one post-processed anomaly map against its segmentation, from a single sort.

import { FqlabError } from '../errors.ts';
import { removeSmallComponents } from '../postprocess/index.ts';
import { voxelCount, type Dims3 } from '../volume.ts';
import { binarize, bestDiceFromSorted, dice } from './dice.ts';
import { labelsFromSegmentation } from './labels.ts';
import { aurocFromSorted, averagePrecisionFromSorted } from './ranking.ts';
import { sortScores } from './sortedScores.ts';

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
  const filteredDice =
    threshold === undefined || sorted.positives === 0
      ? null
      : dice(removeSmallComponents(binarize(map, threshold), dims), labels);
  return {
    auprc: averagePrecisionFromSorted(sorted),
    auroc: aurocFromSorted(sorted),
    bestDice: bestDiceFromSorted(sorted).dice,
    dice: filteredDice,
  };
}
