// `fqlab sweep`: DICE/AUPRC of a trained model over an alpha x noise-level grid (reconstruct once per noise level).
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import { STRUCTURAL_TERMS, type StructuralTerm } from '../../core/quality/structural.ts';
import type { SweepCell, SweepRequest } from '../../analysis/pipeline.ts';
import { choiceFlag, integerFlag, optionalString, UsageError, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import type { PendingOutputs } from '../outputs.ts';
import { progressBar } from '../progressBar.ts';
import { preparation } from '../preparation.ts';
import { EVALUATION_FLAGS, evaluationFlags, openEvaluation, SMOOTHING_USAGE, WEBGPU_KERNELS_USAGE, INFERENCE_THREADS_USAGE, type EvaluationSetup } from '../session.ts';
import { cellBlock, evaluationSettings, reportFileContents, SHARD_FLAGS, shardFileOf, shardFlag } from '../shard.ts';
import { gridCells, sweepCsv, sweepReport, type SweepHeader } from '../sweepReport.ts';

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

/** The default noise-level axis: below, at and above the paper's two test noise levels. */
const DEFAULT_NOISE_LEVELS = `250,${PAPER_PROTOCOL.noiseLevel.pddpm},${PAPER_PROTOCOL.noiseLevel.pddpmIqa}`;

/** What every cell of one sweep shares: the seed and the FQ map's structural term. */
interface SweepScoring {
  seed: number;
  structural: StructuralTerm;
}

/** A Session sweep of the loaded model over a grid, thresholding each cell by the reference search on validation. */
function sweepRequest(setup: EvaluationSetup, alphas: number[], noiseLevels: number[], { seed, structural }: SweepScoring): SweepRequest {
  return { modelId: setup.modelInfo.modelId, seed, alphas, noiseLevels, structural, thresholdSource: 'validation-search' };
}

/** Every cell of the grid in one Session sweep (each noise level reconstructed once, then rescored per alpha). */
async function sweepAll(setup: EvaluationSetup, alphas: number[], noiseLevels: number[], scoring: SweepScoring): Promise<SweepCell[]> {
  const bar = progressBar('sweep');
  const { cells } = await setup.session.sweep(sweepRequest(setup, alphas, noiseLevels, scoring), (p) => bar.update(p.done, p.total));
  bar.finish();
  return cells;
}

/**
 * The grid cells in `block` (grid order), computed one noise level at a time: a Session sweep per run of cells at one
 * noise level, over their alphas. Each cell depends only on its own alpha, noise level and seed, so any block of the
 * grid gives the same cells as the whole sweep.
 */
async function sweepBlock(setup: EvaluationSetup, block: readonly { alpha: number; noiseLevel: number }[], scoring: SweepScoring): Promise<SweepCell[]> {
  const cells: SweepCell[] = [];
  for (let start = 0; start < block.length; ) {
    const noiseLevel = block[start].noiseLevel;
    let end = start;
    while (end < block.length && block[end].noiseLevel === noiseLevel) end++;
    const bar = progressBar(`sweep at noise level ${noiseLevel}`);
    const request = sweepRequest(setup, block.slice(start, end).map((c) => c.alpha), [noiseLevel], scoring);
    const result = await setup.session.sweep(request, (p) => bar.update(p.done, p.total));
    bar.finish();
    cells.push(...result.cells);
    start = end;
  }
  return cells;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'DICE/AUPRC of a trained model over an alpha x noise-level grid on validation + test volumes.',
  usage:
    `--model MODEL_DIR --val FILES|DIR [...] --test FILES|DIR [...] [--alpha 0:1:0.1] [--noise-level ${DEFAULT_NOISE_LEVELS}]\n` +
    '  [--seed 0] [--modality T2] [--backend auto|wasm|cpu|webgpu] [--webgpu-kernels stock|custom] [--threads 1] [--no-smoothing] [--csv F] [--allow-no-threshold]\n' +
    '  [--structural ssim|ms-ssim|gmsd] [--out REPORT.json] [--shard i/n]\n' +
    SMOOTHING_USAGE +
    WEBGPU_KERNELS_USAGE +
    INFERENCE_THREADS_USAGE +
    '  Each cell thresholds on the validation volumes (reference search) and reports the test-set mean; without a\n' +
    '  validation case with lesions the sweep is refused, unless --allow-no-threshold (Dice then null).\n' +
    '  --out also writes the report to a file. --shard i/n (0 <= i < n) computes only the i-th of n contiguous blocks of\n' +
    '  the grid (noise level outer, alpha inner) and writes a shard file instead of the report; `fqlab merge --out\n' +
    '  REPORT.json [--csv F]` of all n shard files gives the unsharded report and CSV.',
  options: {
    ...EVALUATION_FLAGS,
    ...SHARD_FLAGS,
    alpha: { type: 'string' },
    'noise-level': { type: 'string' },
    seed: { type: 'string' },
    structural: { type: 'string' },
    csv: { type: 'string' },
  },
  async run(flags: ParsedFlags, outputs: PendingOutputs) {
    const shared = evaluationFlags(flags);
    const alphas = parseGrid(optionalString(flags, 'alpha') ?? '0:1:0.1', 'alpha', PAPER_PROTOCOL.alphaRange.min, PAPER_PROTOCOL.alphaRange.max);
    const noiseLevels = parseGrid(optionalString(flags, 'noise-level') ?? DEFAULT_NOISE_LEVELS, 'noise-level', PAPER_PROTOCOL.noiseLevel.min, PAPER_PROTOCOL.noiseLevel.max);
    if (noiseLevels.some((v) => !Number.isInteger(v))) throw new UsageError('--noise-level values must be integers');
    const seed = integerFlag(flags, 'seed', 0);
    const structural = choiceFlag<StructuralTerm>(flags, 'structural', STRUCTURAL_TERMS, PAPER_PROTOCOL.structural.defaultTerm);
    const csvPath = optionalString(flags, 'csv');
    const shard = shardFlag(flags);
    if (shard && csvPath) throw new UsageError('--csv of a sharded sweep is written by `fqlab merge --csv`; leave it out with --shard');
    if (csvPath) outputs.file(csvPath);
    const reportPath = optionalString(flags, 'out');
    if (reportPath) outputs.file(reportPath);

    if (shared.model === null) throw new UsageError('thresh has no alpha or noise level to sweep; use `fqlab evaluate --method thresh`');
    const setup = await openEvaluation(shared);
    const header: SweepHeader = {
      model: setup.checkpointPath,
      modelInfo: setup.modelInfo,
      seed,
      alphas,
      noiseLevels,
      structural,
      validation: setup.validation.map((c) => c.caseId),
      test: setup.testCaseIds,
      preparation: preparation(setup.modelInfo, setup.validation),
    };
    const { start, end } = cellBlock(shard, alphas.length * noiseLevels.length);
    const scoring = { seed, structural };
    const cells = shard ? await sweepBlock(setup, gridCells(alphas, noiseLevels).slice(start, end), scoring) : await sweepAll(setup, alphas, noiseLevels, scoring);
    if (csvPath) outputs.write(csvPath, sweepCsv(cells, header.preparation));
    const result = shard
      ? shardFileOf('sweep', shard, { ...setup, settings: evaluationSettings(shared) }, header, { cells })
      : sweepReport(header, cells, csvPath ?? null);
    if (reportPath) outputs.write(reportPath, reportFileContents(result));
    return result;
  },
};
