// Mean ± std over seeds of a study's headline metrics, as `fqlab evaluate --seeds n` reports them (per seed the mean, then over seeds).
import { summarize, type Summary } from '../core/metrics/index.ts';
import type { EvaluationResult } from './evaluate.ts';

type SeedMetric = 'dice' | 'auprc' | 'auroc' | 'bestDiceOracle';

/** One seed's threshold and its means over the evaluated split. */
export type SeedRun = { seed: number; threshold: number | null } & Record<SeedMetric, number | null>;

/** Several seeds' scores of one study: each seed's means, and their mean ± population std over seeds. */
export interface SeedSummary {
  perSeed: SeedRun[];
  mean: Record<SeedMetric, Summary>;
}

/** Summarizes one score result per seed (each from score() at its seed, all else equal). */
export function summarizeSeeds(runs: readonly EvaluationResult[]): SeedSummary {
  const perSeed = runs.map((run) => ({
    seed: run.key.seed,
    threshold: run.threshold.value,
    dice: run.mean.dice.mean,
    auprc: run.mean.auprc.mean,
    auroc: run.mean.auroc.mean,
    bestDiceOracle: run.mean.bestDiceOracle.mean,
  }));
  const over = (metric: SeedMetric) => summarize(perSeed.map((run) => run[metric]));
  return { perSeed, mean: { dice: over('dice'), auprc: over('auprc'), auroc: over('auroc'), bestDiceOracle: over('bestDiceOracle') } };
}
