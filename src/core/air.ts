// The AIR (average intensity ratio) statistics and transform of pDDPM-IQA (SPEC 2): invert bright-brain modalities.

/** Mean brain intensities on [0, 1] data and what they suggest. */
export interface AirStatistics {
  /** Mean of normal brain voxels (brain, seg == 0); 0 when there are none. */
  muNormal: number;
  /** Mean of anomalous brain voxels (brain, seg != 0); null without a segmentation or anomalous brain voxels. */
  muAnomalous: number | null;
  /** airValue(muAnomalous, muNormal), null when muAnomalous is. */
  air: number | null;
  /** The workbench's automatic rule: invert when muNormal > 0.5. */
  suggested: boolean;
}

/** How the user set the AIR switch. */
export type AirMode = 'auto' | 'on' | 'off';

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
  const muNormal = normalCount > 0 ? normalSum / normalCount : 0;
  const muAnomalous = anomalousCount > 0 ? anomalousSum / anomalousCount : null;
  return {
    muNormal,
    muAnomalous,
    air: muAnomalous === null ? null : airValue(muAnomalous, muNormal),
    suggested: muNormal > 0.5,
  };
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

/** Whether to apply the AIR transform: the user's choice, or the statistics' suggestion in 'auto'. */
export function resolveAir(mode: AirMode, stats: AirStatistics): boolean {
  return mode === 'auto' ? stats.suggested : mode === 'on';
}
