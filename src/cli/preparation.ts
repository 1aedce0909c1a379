// How a model and the cases it is evaluated on were prepared (AIR, read-time smoothing): the reports' `preparation`.
import { z } from 'zod';
import { airLabel, smoothingLabel } from '../core/provenance.ts';
import type { CaseInfo } from '../session/session.ts';
import type { ModelInfo } from '../session/trainedModel.ts';

export const preparationSchema = z.object({
  air: z.string(),
  modelSmoothing: z.string(),
  casesSmoothing: z.string(),
  warnings: z.array(z.string()),
});
export type Preparation = z.infer<typeof preparationSchema>;

/** The read-time smoothing of a set of cases: one label, or "mixed: ..." when they differ. */
function casesSmoothing(cases: readonly CaseInfo[]): string {
  const labels = [...new Set(cases.map((c) => smoothingLabel(c.smoothing)))];
  return labels.length === 1 ? labels[0] : `mixed: ${labels.join(' / ')}`;
}

/**
 * How the model and the given cases were prepared, with a warning for each case whose smoothing differs from that of
 * the model's training images. Reports pass the validation cases: every shard holds all of them, and test cases are
 * read with the same flags.
 */
export function preparation(modelInfo: ModelInfo, cases: readonly CaseInfo[]): Preparation {
  const model = smoothingLabel(modelInfo.smoothing);
  const warnings = cases
    .filter((c) => smoothingLabel(c.smoothing) !== model)
    .map((c) => `${c.caseId}: prepared with ${smoothingLabel(c.smoothing)}, but the model's training images had ${model}${c.smoothing ? '; pass --no-smoothing to match' : ''}`);
  return { air: airLabel(modelInfo.airApplied, modelInfo.airMode), modelSmoothing: model, casesSmoothing: casesSmoothing(cases), warnings };
}
