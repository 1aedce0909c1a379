// Picks the FQ alpha from its source: fixed (the paper's 0.84), or best pooled Dice / mean AUPRC over a grid on the lesion validation cases, never on test.
import { exactBestDiceThreshold, summarize } from '../core/metrics/index.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import type { ConformedCase } from './caseStore.ts';
import { alphaMatters, type ScoreKind } from './keys.ts';
import { rankedScores } from './scoringJob.ts';
import type { ScoredCase } from './thresholdChoice.ts';

/** Where alpha comes from: the request's own value, or the grid alpha with the best validation Dice or AUPRC. */
export const ALPHA_SOURCES = ['fixed', 'val-dice', 'val-auprc'] as const;
export type AlphaSource = (typeof ALPHA_SOURCES)[number];

/** The alpha a score used, where it came from, and (when chosen) the grid with the validation objective at each point. */
export interface AlphaChoice {
  value: number;
  source: AlphaSource;
  /** The alphas tried; null for 'fixed'. */
  grid: number[] | null;
  /** Pooled best Dice ('val-dice') or mean AUPRC ('val-auprc') of the lesion validation cases at each grid alpha. */
  objective: (number | null)[] | null;
  /** Why the request's alpha was kept although a choice was asked for. */
  note?: string;
}

/** The only cases alpha may be tuned on: validation cases with at least one anomalous voxel (never test). */
export function alphaValidationCases<C extends Pick<ConformedCase, 'split' | 'anomalousVoxels'>>(cases: readonly C[]): C[] {
  return cases.filter((c) => c.split === 'validation' && c.anomalousVoxels > 0);
}

/**
 * What a chosen alpha maximises on post-processed validation maps: the Dice of the pooled voxels at their exact best
 * threshold ('val-dice', no component filter, as the threshold search scores), or the mean per-case AUPRC ('val-auprc').
 * Cases other than lesion validation ones are ignored; null when none is left.
 */
export function alphaObjective(source: Exclude<AlphaSource, 'fixed'>, scored: readonly ScoredCase[]): number | null {
  const validation = scored.filter((s) => alphaValidationCases([s.conformed]).length > 0);
  if (validation.length === 0) return null;
  if (source === 'val-dice') {
    return exactBestDiceThreshold(validation.map((s) => ({ scores: s.map, labels: s.conformed.labels as Uint8Array }))).pooledDice ?? null;
  }
  return summarize(validation.map((s) => (s.ranking ?? rankedScores(s.map, s.conformed.labels).ranking)?.auprc ?? null)).mean;
}

/** The grid alpha with the highest objective (the first such in grid order); null when no objective is defined. */
export function bestGridAlpha(grid: readonly number[], objective: readonly (number | null)[]): number | null {
  let best: number | null = null;
  let bestValue = -Infinity;
  grid.forEach((alpha, index) => {
    const value = objective[index];
    if (value !== null && value > bestValue) {
      best = alpha;
      bestValue = value;
    }
  });
  return best;
}

/** The alpha a fixed source (or a score alpha does not change) uses: the request's own. */
export function fixedAlpha(alpha: number, source: AlphaSource = 'fixed', note?: string): AlphaChoice {
  return note ? { value: alpha, source, grid: null, objective: null, note } : { value: alpha, source, grid: null, objective: null };
}

/** Whether a score needs alpha chosen over the grid (only FQ blends with alpha). */
export function choosesAlpha(source: AlphaSource | undefined, score: ScoreKind): source is Exclude<AlphaSource, 'fixed'> {
  return source !== undefined && source !== 'fixed' && alphaMatters(score);
}

/**
 * The choice from the objective at each grid alpha; without any defined objective (no lesion validation case) the
 * request's alpha stays, with a note saying so.
 */
export function alphaChoiceFrom(
  source: Exclude<AlphaSource, 'fixed'>,
  fallback: number,
  objective: readonly (number | null)[],
  grid: readonly number[] = PAPER_PROTOCOL.alphaGrid,
): AlphaChoice {
  const best = bestGridAlpha(grid, objective);
  if (best === null) {
    return { ...fixedAlpha(fallback, source, 'no reconstructed validation case with lesions; alpha stays at its fixed value'), grid: [...grid], objective: [...objective] };
  }
  return { value: best, source, grid: [...grid], objective: [...objective] };
}
