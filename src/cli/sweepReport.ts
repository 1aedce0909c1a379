// The `fqlab sweep` report and CSV built from its grid cells: one path for an unsharded run and for `fqlab merge`.
import { z } from 'zod';
import { preparationSchema, type Preparation } from './preparation.ts';
import { bestCell } from '../analysis/pipeline.ts';
import { STRUCTURAL_TERMS } from '../core/quality/structural.ts';
import type { ModelInfo } from '../session/trainedModel.ts';
import type { SweepCell } from '../analysis/pipeline.ts';

/** The report's fields that do not depend on which cells were computed. */
export const sweepHeaderSchema = z.object({
  model: z.string(),
  modelInfo: z.custom<ModelInfo>((value) => typeof value === 'object' && value !== null, 'must be an object'),
  seed: z.int().nonnegative(),
  alphas: z.array(z.number()),
  noiseLevels: z.array(z.int()),
  structural: z.enum(STRUCTURAL_TERMS),
  validation: z.array(z.string()),
  test: z.array(z.string()),
  preparation: preparationSchema,
});
export type SweepHeader = z.infer<typeof sweepHeaderSchema>;

export const sweepCellSchema = z.object({
  alpha: z.number(),
  noiseLevel: z.int(),
  dice: z.number().nullable(),
  auprc: z.number().nullable(),
});

/** Every (alpha, noise level) of a grid in report order: noise level outer, alpha inner, as the sweep computes them. */
export function gridCells(alphas: readonly number[], noiseLevels: readonly number[]): { alpha: number; noiseLevel: number }[] {
  return noiseLevels.flatMap((noiseLevel) => alphas.map((alpha) => ({ alpha, noiseLevel })));
}

/** One row per cell; the model's AIR decision and the cases' smoothing in every row, so the file stands alone. */
export function sweepCsv(cells: readonly SweepCell[], prepared: Preparation): string {
  const cell = (v: number | null) => (v === null ? '' : String(v));
  const rows = cells.map((c) => `${c.alpha},${c.noiseLevel},${cell(c.dice)},${cell(c.auprc)},${prepared.air},${prepared.casesSmoothing}`);
  return ['alpha,noise_level,dice,auprc,air,smoothing', ...rows].join('\n') + '\n';
}

/** The whole sweep report, its keys in one fixed order; `csv` is the path the CSV goes to, if any. */
export function sweepReport(header: SweepHeader, cells: readonly SweepCell[], csv: string | null) {
  return {
    model: header.model,
    modelInfo: header.modelInfo,
    seed: header.seed,
    alphas: header.alphas,
    noiseLevels: header.noiseLevels,
    structural: header.structural,
    validation: header.validation,
    test: header.test,
    preparation: header.preparation,
    cells,
    best: bestCell(cells),
    csv,
  };
}
