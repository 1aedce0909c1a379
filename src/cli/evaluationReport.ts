// The `fqlab evaluate` report built from per-case, per-seed rows: one path for an unsharded run and for `fqlab merge`.
import { z } from 'zod';
import { preparationSchema } from './preparation.ts';
import { summarize } from '../core/metrics/index.ts';
import { ALPHA_SOURCES } from '../analysis/alphaChoice.ts';
import { SCORE_KINDS } from '../analysis/keys.ts';
import { STRUCTURAL_TERMS } from '../core/quality/structural.ts';
import type { BackendChoice } from '../engine/backend.ts';
import type { CaseMetrics, EvaluationResult } from '../analysis/evaluate.ts';
import type { ModelInfo } from '../session/trainedModel.ts';

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);
const metric = z.number().nullable();

/** One test case's metrics at one seed (null where undefined, e.g. Dice without a threshold). */
const caseScoreSchema = z.object({ dice: metric, auprc: metric, auroc: metric, bestDiceOracle: metric });
type MetricName = keyof z.infer<typeof caseScoreSchema>;

/** One test case's metrics for each seed (index = seed), and the map files written for it (--out-dir). */
export const testCaseRowSchema = z.object({
  caseId: z.string(),
  perSeed: z.array(caseScoreSchema),
  outputs: z.array(z.string()),
});
export type TestCaseRow = z.infer<typeof testCaseRowSchema>;

/** The alpha and threshold one seed's scoring chose on the validation cases (alpha: the fixed one, or the grid's best). */
export const seedThresholdSchema = z.object({
  seed: z.int().nonnegative(),
  alpha: z.number(),
  /** The validation objective at each grid alpha (header alphaGrid); null for a fixed alpha. */
  alphaObjective: z.array(metric).nullable(),
  threshold: z.number().nullable(),
  thresholdNote: z.string().nullable(),
});
export type SeedThreshold = z.infer<typeof seedThresholdSchema>;

/** The report's fields that do not depend on which test cases were scored (`test` lists all of them, in order). */
export const evaluateHeaderSchema = z.object({
  model: z.string(),
  modelInfo: z.custom<ModelInfo>(isObject, 'must be an object'),
  backend: z.custom<BackendChoice>(isObject, 'must be an object'),
  noiseLevel: z.int(),
  /** The fixed alpha; null when each seed chose its own on the validation cases (perSeed[].alpha). */
  alpha: z.number().nullable(),
  alphaSource: z.enum(ALPHA_SOURCES),
  /** The alphas a chosen alpha was picked from; null for a fixed alpha. */
  alphaGrid: z.array(z.number()).nullable(),
  score: z.enum(SCORE_KINDS),
  structural: z.enum(STRUCTURAL_TERMS),
  seeds: z.int().positive(),
  validation: z.array(z.string()),
  test: z.array(z.string()),
  preparation: preparationSchema,
});
export type EvaluateHeader = z.infer<typeof evaluateHeaderSchema>;

/** Each seed's alpha and threshold, from one scoring run per seed. */
export function seedThresholds(runs: readonly EvaluationResult[]): SeedThreshold[] {
  return runs.map((run, seed) => ({
    seed,
    alpha: run.alphaChoice.value,
    alphaObjective: run.alphaChoice.objective,
    threshold: run.threshold.value,
    thresholdNote: run.threshold.note ?? run.alphaChoice.note ?? null,
  }));
}

/** One row per test case (in the given order) with its metrics in each run; `outputsOf` lists its written maps. */
export function testCaseRows(
  runs: readonly EvaluationResult[],
  testCaseIds: readonly string[],
  outputsOf: (caseId: string) => string[] = () => [],
): TestCaseRow[] {
  return testCaseIds.map((caseId) => ({
    caseId,
    perSeed: runs.map((run) => {
      const found: CaseMetrics | undefined = run.cases.find((c) => c.split === 'test' && c.caseId === caseId);
      return { dice: found?.dice ?? null, auprc: found?.auprc ?? null, auroc: found?.auroc ?? null, bestDiceOracle: found?.bestDiceOracle ?? null };
    }),
    outputs: outputsOf(caseId),
  }));
}

/**
 * The report's numbers: per seed the mean over the test cases (in row order), then mean +- std of those over seeds
 * (population std), and per test case its values summarized over seeds.
 */
export function summarizeRows(thresholds: readonly SeedThreshold[], rows: readonly TestCaseRow[]) {
  const perVolume = rows.map(({ caseId, perSeed }) => {
    const over = (key: MetricName) => summarize(perSeed.map((s) => s[key]));
    return { caseId, dice: over('dice'), auprc: over('auprc'), auroc: over('auroc'), bestDiceOracle: over('bestDiceOracle') };
  });
  const perSeed = thresholds.map(({ seed, alpha, alphaObjective, threshold, thresholdNote }) => {
    const meanAt = (key: MetricName) => summarize(rows.map((row) => row.perSeed[seed][key])).mean;
    return { seed, alpha, alphaObjective, threshold, thresholdNote, dice: meanAt('dice'), auprc: meanAt('auprc'), auroc: meanAt('auroc'), bestDiceOracle: meanAt('bestDiceOracle') };
  });
  const overSeeds = (key: MetricName) => summarize(perSeed.map((s) => s[key]));
  return {
    mean: { dice: overSeeds('dice'), auprc: overSeeds('auprc'), auroc: overSeeds('auroc'), bestDiceOracle: overSeeds('bestDiceOracle') },
    perSeed,
    perVolume,
  };
}

/** The whole evaluate report, its keys in one fixed order (so a merged report is byte for byte an unsharded one). */
export function evaluationReport(header: EvaluateHeader, thresholds: readonly SeedThreshold[], rows: readonly TestCaseRow[]) {
  const { mean, perSeed, perVolume } = summarizeRows(thresholds, rows);
  return {
    model: header.model,
    modelInfo: header.modelInfo,
    backend: header.backend,
    noiseLevel: header.noiseLevel,
    alpha: header.alpha,
    alphaSource: header.alphaSource,
    alphaGrid: header.alphaGrid,
    score: header.score,
    structural: header.structural,
    seeds: header.seeds,
    validation: header.validation,
    test: header.test,
    preparation: header.preparation,
    mean,
    perSeed,
    perVolume,
    outputs: rows.flatMap((row) => row.outputs),
  };
}
