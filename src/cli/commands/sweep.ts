// `fqlab sweep`: DICE/AUPRC of a trained model over an alpha x noise-level grid (reconstruct once per noise level).
import { writeFileSync } from 'node:fs';
import type { SweepCell } from '../../../workers/api.ts';
import { integerFlag, optionalString, UsageError, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { progressBar } from '../progressBar.ts';
import { EVALUATION_FLAGS, evaluationFlags, openEvaluation, preparation, SMOOTHING_USAGE } from '../session.ts';

/** "0:1:0.25" -> [0, 0.25, 0.5, 0.75, 1]; "0.5,0.84" -> [0.5, 0.84]. Values rounded to 1e-9 against drift. */
export function parseGrid(text: string, name: string, min: number, max: number): number[] {
  const round = (v: number) => Math.round(v * 1e9) / 1e9;
  let values: number[];
  const range = text.split(':');
  if (range.length === 3) {
    const [start, stop, step] = range.map(Number);
    if (![start, stop, step].every(Number.isFinite) || step <= 0 || stop < start) {
      throw new UsageError(`--${name} range "${text}" must be start:stop:step with step > 0 and stop >= start`);
    }
    values = [];
    for (let n = 0; start + n * step <= stop + step * 1e-9; n++) values.push(round(start + n * step));
  } else {
    values = text.split(',').map((v) => round(Number(v)));
  }
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < min || v > max)) {
    throw new UsageError(`--${name} "${text}" must list numbers in [${min}, ${max}] (a,b,c or start:stop:step)`);
  }
  return values;
}

/** One row per cell; the model's AIR decision and the cases' smoothing in every row, so the file stands alone. */
function toCsv(cells: readonly SweepCell[], air: string, smoothing: string): string {
  const cell = (v: number | null) => (v === null ? '' : String(v));
  const rows = cells.map((c) => `${c.alpha},${c.noiseLevel},${cell(c.dice)},${cell(c.auprc)},${air},${smoothing}`);
  return ['alpha,noise_level,dice,auprc,air,smoothing', ...rows].join('\n') + '\n';
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'DICE/AUPRC of a trained model over an alpha x noise-level grid on validation + test volumes.',
  usage:
    '--model MODEL_DIR --val FILES|DIR [...] --test FILES|DIR [...] [--alpha 0:1:0.1] [--noise-level 250,500,750]\n' +
    '  [--seed 0] [--modality T2] [--backend auto|wasm|cpu|webgpu] [--no-smoothing] [--csv F]\n' +
    SMOOTHING_USAGE +
    '  Each cell thresholds on the validation volumes (reference search) and reports the test-set mean.',
  options: {
    ...EVALUATION_FLAGS,
    alpha: { type: 'string' },
    'noise-level': { type: 'string' },
    seed: { type: 'string' },
    csv: { type: 'string' },
  },
  async run(flags: ParsedFlags) {
    const shared = evaluationFlags(flags);
    const alphas = parseGrid(optionalString(flags, 'alpha') ?? '0:1:0.1', 'alpha', 0, 1);
    const noiseLevels = parseGrid(optionalString(flags, 'noise-level') ?? '250,500,750', 'noise-level', 1, 1000);
    if (noiseLevels.some((v) => !Number.isInteger(v))) throw new UsageError('--noise-level values must be integers');
    const seed = integerFlag(flags, 'seed', 0);

    const session = await openEvaluation(shared);
    const bar = progressBar('sweep');
    const result = await session.worker.sweep(alphas, noiseLevels, seed, (p) => bar.update(p.done, p.total));
    bar.finish();
    const prepared = preparation(session.modelInfo, [...session.validation, ...session.test]);
    const csvPath = optionalString(flags, 'csv');
    if (csvPath) writeFileSync(csvPath, toCsv(result.cells, prepared.air, prepared.casesSmoothing));
    return {
      model: session.checkpointPath,
      modelInfo: session.modelInfo,
      seed,
      alphas,
      noiseLevels,
      validation: session.validation.map((c) => c.caseId),
      test: session.test.map((c) => c.caseId),
      preparation: prepared,
      cells: result.cells,
      best: result.best,
      csv: csvPath ?? null,
    };
  },
};
