// The AIR (average intensity ratio) statistics, rule and transform of pDDPM-IQA (SPEC 2): invert bright-brain modalities.
import { FqlabError } from './errors.ts';
import type { Modality } from './modality.ts';

/** Mean brain intensities on [0, 1] data and what they suggest. */
export interface AirStatistics {
  /** Mean of normal brain voxels (brain, seg == 0); 0 when there are none. */
  muNormal: number;
  /** Mean of anomalous brain voxels (brain, seg != 0); null without a segmentation or anomalous brain voxels. */
  muAnomalous: number | null;
  /** airValue(muAnomalous, muNormal), null when muAnomalous is. */
  air: number | null;
  /** The statistics rule: invert when muNormal > AIR_STATS_THRESHOLD. */
  suggested: boolean;
}

/**
 * How the AIR switch is decided: 'modality' by the reference's per-modality rule (the default), 'stats' from the
 * training data's mean normal brain intensity, or by hand.
 */
export type AirMode = 'modality' | 'stats' | 'on' | 'off';

export const AIR_MODES = ['modality', 'stats', 'on', 'off'] as const satisfies readonly AirMode[];

/** The reference's switch per modality (SPEC 2): on for T1, T1CE and FLAIR, off for T2 and PD. */
export const AIR_BY_MODALITY: Readonly<Record<Modality, boolean>> = { T1: true, T1CE: true, FLAIR: true, T2: false, PD: false };

/** 'stats' inverts when the mean normal brain intensity is above this. */
export const AIR_STATS_THRESHOLD = 0.5;

/** 'stats' warns when the mean normal brain intensity is this close to the threshold (the decision is fragile). */
export const AIR_STATS_WARNING_MARGIN = 0.05;

/** Whether the reference inverts this modality. */
export function airForModality(modality: Modality): boolean {
  return AIR_BY_MODALITY[modality];
}

/** The AIR mode a checkpoint recorded; before the per-modality rule, 'auto' meant the statistics rule. */
export function upgradeAirMode(recorded: AirMode | 'auto'): AirMode {
  return recorded === 'auto' ? 'stats' : recorded;
}

/** How far a mean normal brain intensity lies from the statistics rule's threshold, and whether that is close. */
export function airStatsMargin(muNormal: number): { margin: number; nearThreshold: boolean } {
  const margin = muNormal - AIR_STATS_THRESHOLD;
  return { margin, nearThreshold: Math.abs(margin) < AIR_STATS_WARNING_MARGIN };
}

/**
 * AIR = ((a + n) + |a - n|) / ((a + n) - |a - n|), i.e. max(a, n) / min(a, n): Infinity when exactly one mean
 * is 0, and 1 when both are (equal intensities) rather than 0 / 0.
 */
export function airValue(muAnomalous: number, muNormal: number): number {
  const sum = muAnomalous + muNormal;
  const gap = Math.abs(muAnomalous - muNormal);
  if (sum === 0 && gap === 0) return 1;
  return (sum + gap) / (sum - gap);
}

/** AIR statistics of a conformed image over its brain mask (non-zero = brain), with an optional segmentation. */
export function airStatistics(
  image: Float32Array,
  brainMask: ArrayLike<number>,
  seg?: ArrayLike<number> | null,
): AirStatistics {
  let normalSum = 0;
  let normalCount = 0;
  let anomalousSum = 0;
  let anomalousCount = 0;
  for (let i = 0; i < image.length; i++) {
    if (brainMask[i] === 0) continue;
    if (seg && seg[i] !== 0) {
      anomalousSum += image[i];
      anomalousCount++;
    } else {
      normalSum += image[i];
      normalCount++;
    }
  }
  return statisticsFromSums(normalSum, normalCount, anomalousSum, anomalousCount);
}

/** The means and what they suggest, from intensity sums and voxel counts of normal and anomalous brain voxels. */
function statisticsFromSums(normalSum: number, normalCount: number, anomalousSum: number, anomalousCount: number): AirStatistics {
  const muNormal = normalCount > 0 ? normalSum / normalCount : 0;
  const muAnomalous = anomalousCount > 0 ? anomalousSum / anomalousCount : null;
  return {
    muNormal,
    muAnomalous,
    air: muAnomalous === null ? null : airValue(muAnomalous, muNormal),
    suggested: muNormal > AIR_STATS_THRESHOLD,
  };
}

/** One case's share of pooled AIR statistics: its means and how many voxels each mean is over. */
export interface AirStatisticsPart {
  muNormal: number;
  normalVoxels: number;
  muAnomalous: number | null;
  anomalousVoxels: number;
}

/** AIR statistics of several cases together: each mean weighted by its voxel count, the suggestion from the pooled muNormal. */
export function pooledAirStatistics(parts: readonly AirStatisticsPart[]): AirStatistics {
  let normalSum = 0;
  let normalCount = 0;
  let anomalousSum = 0;
  let anomalousCount = 0;
  for (const part of parts) {
    normalSum += part.muNormal * part.normalVoxels;
    normalCount += part.normalVoxels;
    if (part.muAnomalous === null || part.anomalousVoxels === 0) continue;
    anomalousSum += part.muAnomalous * part.anomalousVoxels;
    anomalousCount += part.anomalousVoxels;
  }
  return statisticsFromSums(normalSum, normalCount, anomalousSum, anomalousCount);
}

/**
 * x' = x * (1 - m) + (1 - x) * m with m = (brainMask != 0): brain voxels inverted, background kept. Writes into
 * `out` (which may be `image` itself) or a new array.
 */
export function airTransform(image: Float32Array, brainMask: ArrayLike<number>, out?: Float32Array): Float32Array {
  const result = out ?? new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) result[i] = brainMask[i] !== 0 ? 1 - image[i] : image[i];
  return result;
}

/**
 * Whether to apply the AIR transform to a model trained on cases of these modalities with these statistics: the
 * per-modality rule, the statistics' suggestion, or the user's choice. Throws FqlabError 'bad-argument' (naming
 * `fileName`) in 'modality' mode when there is no modality or the modalities disagree (e.g. T1 and T2).
 */
export function resolveAir(mode: AirMode, stats: AirStatistics, modalities: readonly Modality[], fileName = 'training set'): boolean {
  if (mode === 'stats') return stats.suggested;
  if (mode !== 'modality') return mode === 'on';
  const distinct = [...new Set(modalities)];
  if (distinct.length === 0) {
    throw new FqlabError('bad-argument', fileName, 'the per-modality AIR rule needs the modality of the training cases; set AIR on, off or stats instead.');
  }
  const decisions = new Set(distinct.map(airForModality));
  if (decisions.size > 1) {
    const listed = distinct.map((m) => `${m} (AIR ${airForModality(m) ? 'on' : 'off'})`).join(', ');
    throw new FqlabError(
      'bad-argument',
      fileName,
      `the training cases mix modalities the per-modality AIR rule treats differently: ${listed}. Train on one modality, or set AIR on, off or stats.`,
    );
  }
  return airForModality(distinct[0]);
}
