// Threshold objects and the ways to choose one: the reference's validation search, exact best Dice, healthy FPR.

import { FqlabError } from '../errors.ts';
import { PAPER_PROTOCOL } from '../protocol.ts';
import { bestDiceFromSorted } from './dice.ts';
import { nonFiniteScoreError, sortFloat32Ascending } from './floatKeys.ts';
import { countAbove, sortPooledScores, type ScoredVolume, type SortedScores } from './sortedScores.ts';

/** Where a threshold came from; never a bare magic number. */
export type ThresholdSource = 'validation-search' | 'exact-best-dice' | 'fpr-target' | 'manual';

/** A binarisation threshold: voxels with score > value are predicted anomalous. */
export interface Threshold {
  value: number;
  source: ThresholdSource;
  /** Dice of the pooled validation voxels at this threshold (no connected-component filter). */
  pooledDice?: number | null;
  /** For 'fpr-target': the fraction of healthy brain voxels allowed above the threshold. */
  fprTarget?: number;
}

/** FPR targets the workbench offers (1 %, 5 %, 10 % of healthy brain voxels). */
export const FPR_TARGETS = PAPER_PROTOCOL.threshold.fprTargets;

function noAnomalousValidationVoxel(): FqlabError {
  return new FqlabError(
    'bad-argument',
    'validation set',
    'no validation segmentation contains an anomalous voxel; choose the threshold on volumes with lesions, or use an FPR target on healthy volumes',
  );
}

function pooledWithAnomalies(volumes: readonly ScoredVolume[]): SortedScores {
  const sorted = sortPooledScores(volumes);
  if (sorted.positives === 0) throw noAnomalousValidationVoxel();
  return sorted;
}

/**
 * The reference (pDDPM, Zimmerer) threshold search on the pooled validation voxels, without the
 * connected-component filter: start on [0, max score]; each round takes Dice at the 25 % and 75 % points,
 * keeps the half around the better one (ties go to the lower half) and remembers the best point seen
 * (`>=`, so later equal Dice wins). A collapsed range [a, a] becomes [a, 1], as in the reference.
 * Dice at each point is a binary search on the sorted scores, not a rescan.
 *
 * The search points are computed in float64, but the reference compares float32 maps with them after
 * numpy/torch cast them to float32; so Dice uses `score > fround(q)` and the returned value is fround(q),
 * which makes `binarize(map, value)` reproduce the reference's predictions exactly.
 * @example
 * referenceThresholdSearch(validation); // { value: 0.127, source: 'validation-search', pooledDice: 0.55 }
 */
export function referenceThresholdSearch(volumes: readonly ScoredVolume[], maxSteps = PAPER_PROTOCOL.threshold.searchSteps): Threshold {
  return referenceThresholdSearchSorted([pooledWithAnomalies(volumes)], maxSteps);
}

/**
 * referenceThresholdSearch, to the bit, from each volume's own sorted scores (sortScores, as a scoring job leaves
 * them): pooled counts above a threshold are the sums of the volumes' counts, so no pooled sort is needed.
 * @example
 * referenceThresholdSearchSorted(validation.map((v) => sortScores(v.scores, v.labels)));
 */
export function referenceThresholdSearchSorted(volumes: readonly SortedScores[], maxSteps = PAPER_PROTOCOL.threshold.searchSteps): Threshold {
  let positives = 0;
  let maxScore = -Infinity;
  for (const sorted of volumes) {
    positives += sorted.positives;
    if (sorted.thresholds.length > 0) maxScore = Math.max(maxScore, sorted.thresholds[0]);
  }
  if (positives === 0) throw noAnomalousValidationVoxel();
  const diceAbove = (q: number): number => {
    const threshold = Math.fround(q);
    let predicted = 0;
    let truePositives = 0;
    for (const sorted of volumes) {
      const counts = countAbove(sorted, threshold);
      predicted += counts.predicted;
      truePositives += counts.truePositives;
    }
    return (2 * truePositives) / (predicted + positives);
  };
  let bottom = 0;
  let top = maxScore;
  let maxVal = 0;
  let maxPoint = 0;
  for (let step = 0; step < maxSteps; step++) {
    if (bottom === top) top = 1;
    const center = bottom + (top - bottom) * 0.5;
    const qBottom = bottom + (top - bottom) * 0.25;
    const qTop = bottom + (top - bottom) * 0.75;
    const valBottom = diceAbove(qBottom);
    const valTop = diceAbove(qTop);
    if (valBottom >= valTop) {
      if (valBottom >= maxVal) {
        maxVal = valBottom;
        maxPoint = qBottom;
      }
      top = center;
    } else {
      if (valTop >= maxVal) {
        maxVal = valTop;
        maxPoint = qTop;
      }
      bottom = center;
    }
  }
  return { value: Math.fround(maxPoint), source: 'validation-search', pooledDice: maxVal };
}

/**
 * The threshold maximising pooled Dice over every distinct validation score (one sort and one sweep),
 * no connected-component filter. `value` follows bestDiceFromSorted: predictions are `score > value`, with value
 * the next-lower distinct pooled score (or the float32 just below the minimum when every voxel is predicted).
 * @example
 * exactBestDiceThreshold(validation); // { value: 0.131, source: 'exact-best-dice', pooledDice: 0.56 }
 */
export function exactBestDiceThreshold(volumes: readonly ScoredVolume[]): Threshold {
  const best = bestDiceFromSorted(pooledWithAnomalies(volumes));
  return { value: best.threshold, source: 'exact-best-dice', pooledDice: best.dice };
}

/**
 * The smallest threshold t with (healthy brain voxels scoring > t) / (healthy brain voxels) <= fprTarget,
 * pooled over all given anomaly-free volumes; t is always one of their scores. Brain = mask value nonzero.
 * (The reference pools every voxel of its healthy volumes instead; pass all-ones masks for that.)
 * @example
 * fprThreshold(healthyMaps, healthyMasks, 0.05); // { value: 0.094, source: 'fpr-target', fprTarget: 0.05 }
 */
export function fprThreshold(
  healthyMaps: readonly Float32Array[],
  brainMasks: readonly ArrayLike<number>[],
  fprTarget: number,
): Threshold {
  if (!(fprTarget >= 0 && fprTarget < 1)) {
    throw new FqlabError('bad-argument', 'FPR target', `${fprTarget} is not a fraction in [0, 1); use e.g. 0.05 for 5 %`);
  }
  if (healthyMaps.length !== brainMasks.length) {
    throw new FqlabError(
      'bad-argument',
      'healthy set',
      `${healthyMaps.length} anomaly maps but ${brainMasks.length} brain masks; give one mask per healthy map`,
    );
  }
  let brainVoxels = 0;
  for (const [v, map] of healthyMaps.entries()) {
    const mask = brainMasks[v];
    if (mask.length !== map.length) {
      throw new FqlabError(
        'grid-mismatch',
        `healthy volume ${v + 1}`,
        `anomaly map has ${map.length} voxels but its brain mask has ${mask.length}; give both on the same grid`,
      );
    }
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) brainVoxels++;
  }
  if (brainVoxels === 0) {
    throw new FqlabError('empty-mask', 'healthy set', 'the brain masks contain no voxel; check the healthy volumes and their masks');
  }
  const brainScores = new Float32Array(brainVoxels);
  let n = 0;
  for (const [v, map] of healthyMaps.entries()) {
    const mask = brainMasks[v];
    for (let i = 0; i < map.length; i++) {
      if (mask[i] === 0) continue;
      if (!Number.isFinite(map[i])) throw nonFiniteScoreError(`healthy volume ${v + 1} anomaly map`);
      brainScores[n++] = map[i];
    }
  }
  const ascending = sortFloat32Ascending(brainScores, 'healthy set anomaly maps');
  // Largest count of voxels allowed above t, using the same division the check states.
  let allowed = Math.min(brainVoxels, Math.floor(fprTarget * brainVoxels));
  while (allowed + 1 <= brainVoxels && (allowed + 1) / brainVoxels <= fprTarget) allowed++;
  while (allowed > 0 && allowed / brainVoxels > fprTarget) allowed--;
  // At most `allowed` voxels lie strictly above the value at ascending index N-1-allowed; any lower t admits more.
  return { value: ascending[brainVoxels - 1 - allowed], source: 'fpr-target', fprTarget };
}
