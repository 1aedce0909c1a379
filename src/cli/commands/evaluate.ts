// `fqlab evaluate`: reconstructs validation and test volumes with a trained model and reports DICE/AUPRC, mean +- std over seeds.
import { join } from 'node:path';
import { FqlabError } from '../../core/errors.ts';
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import { ALPHA_SOURCES, type AlphaSource } from '../../analysis/alphaChoice.ts';
import { STRUCTURAL_TERMS, type StructuralTerm } from '../../core/quality/structural.ts';
import type { CaseInfo } from '../../session/session.ts';
import type { EvaluationResult } from '../../analysis/evaluate.ts';
import type { MapLayer } from '../../analysis/layers.ts';
import type { ScoreKind } from '../../analysis/keys.ts';
import { choiceFlag, integerFlag, numberFlag, optionalString, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { evaluationReport, seedThresholds, summarizeRows, testCaseRows, type EvaluateHeader } from '../evaluationReport.ts';
import type { PendingOutputs } from '../outputs.ts';
import { progressBar } from '../progressBar.ts';
import { preparation } from '../preparation.ts';
import { scoreFor } from '../methodFlags.ts';
import { EVALUATION_FLAGS, evaluationFlags, openEvaluation, SMOOTHING_USAGE, WEBGPU_KERNELS_USAGE, INFERENCE_THREADS_USAGE, THRESH_USAGE } from '../session.ts';
import { evaluationSettings, holdsPosition, reportFileContents, SHARD_FLAGS, shardFileOf, shardFlag } from '../shard.ts';

/** Layers written with --out-dir, on each test image's original grid. */
const EXPORTED_LAYERS: readonly MapLayer[] = ['reconstruction', 'fq', 'prediction'];

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'Evaluate a trained model: threshold on validation volumes, DICE/AUPRC/AUROC on test volumes, over seeds.',
  usage:
    '--model MODEL_DIR | --method thresh [--equalize] [--air modality|on|off]\n' +
    `  --val FILES|DIR [...] --test FILES|DIR [...] [--noise-level ${PAPER_PROTOCOL.noiseLevel.pddpmIqa}] [--alpha ${PAPER_PROTOCOL.fqAlpha}]\n` +
    '  [--score fq|l1|ssim] [--alpha-source fixed|val-dice|val-auprc] [--structural ssim|ms-ssim|gmsd] [--seeds 3] [--modality T2] [--backend auto|wasm|cpu|webgpu] [--webgpu-kernels stock|custom] [--threads 1] [--no-smoothing] [--out-dir D]\n' +
    '  [--allow-no-threshold] [--out REPORT.json] [--shard i/n]\n' +
    SMOOTHING_USAGE +
    WEBGPU_KERNELS_USAGE +
    INFERENCE_THREADS_USAGE +
    THRESH_USAGE +
    '  A model of any method evaluates the same way (its checkpoint records the method); --noise-level only matters\n' +
    '  to the diffusion methods. --score defaults to fq (the IQA score); thresh is scored l1.\n' +
    `  --alpha-source: fixed (--alpha, default) or, per seed, the alpha of ${PAPER_PROTOCOL.alphaGrid.join(',')} with the best\n` +
    '  pooled Dice (val-dice) or mean AUPRC (val-auprc) on the validation cases with lesions (never the test set); the\n' +
    '  threshold is then searched at that alpha; the report gives each seed\'s alpha and objective per grid alpha.\n' +
    '  --structural: the FQ map\'s structural term: ssim (the paper\'s, default), ms-ssim (Wang 2003) or gmsd (the GMS\n' +
    '  loss of Xue 2014); see the README.\n' +
    '  The report names the model\'s AIR decision and smoothing, and warns about cases smoothed unlike its training images.\n' +
    '  Images are paired with their _seg / _brainmask files by name. The threshold comes from the reference search\n' +
    '  on the validation volumes (never the test set: an image given as both is refused). Without a validation case\n' +
    '  with lesions no threshold can be set and evaluate fails, unless --allow-no-threshold (Dice then null).\n' +
    '  Per seed the test-set mean is taken; the report gives\n' +
    '  mean +- std of those over seeds (population std), and per-volume values averaged over seeds.\n' +
    '  --out-dir writes the reconstruction, FQ map and prediction of the last seed on each test image\'s own grid, each\n' +
    '  with its provenance (method, checkpoint hash, AIR, alpha, noise level, seed, threshold) in a .json beside it.\n' +
    '  --out also writes the report to a file. --shard i/n (0 <= i < n) evaluates only test cases i, i+n, i+2n, ...\n' +
    '  (in name order; every shard thresholds on all validation cases) and writes a shard file instead of the report:\n' +
    '  `fqlab merge --out REPORT.json` of all n shard files gives the unsharded report.',
  options: {
    ...EVALUATION_FLAGS,
    ...SHARD_FLAGS,
    'noise-level': { type: 'string' },
    alpha: { type: 'string' },
    'alpha-source': { type: 'string' },
    structural: { type: 'string' },
    score: { type: 'string' },
    seeds: { type: 'string' },
    'out-dir': { type: 'string' },
  },
  async run(flags: ParsedFlags, outputs: PendingOutputs) {
    const shared = evaluationFlags(flags);
    const noiseLevel = integerFlag(flags, 'noise-level', PAPER_PROTOCOL.noiseLevel.pddpmIqa, PAPER_PROTOCOL.noiseLevel.min, PAPER_PROTOCOL.noiseLevel.max);
    const alpha = numberFlag(flags, 'alpha', PAPER_PROTOCOL.fqAlpha, PAPER_PROTOCOL.alphaRange.min, PAPER_PROTOCOL.alphaRange.max);
    const alphaSource = choiceFlag<AlphaSource>(flags, 'alpha-source', ALPHA_SOURCES, 'fixed');
    const structural = choiceFlag<StructuralTerm>(flags, 'structural', STRUCTURAL_TERMS, PAPER_PROTOCOL.structural.defaultTerm);
    const seeds = integerFlag(flags, 'seeds', 3, 1, 100);
    const outDir = optionalString(flags, 'out-dir');
    if (outDir) outputs.folder(outDir);
    const shard = shardFlag(flags);
    const reportPath = optionalString(flags, 'out');
    if (reportPath) outputs.file(reportPath);

    const setup = await openEvaluation(shared, (position) => holdsPosition(shard, position));
    const { modelInfo, validation: valCases, test: testCases } = setup;
    const score: ScoreKind = scoreFor(modelInfo.method, flags);
    const caseIds = [...valCases, ...testCases].map((c) => c.caseId);

    const { modelId } = modelInfo;
    const runs: EvaluationResult[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const bar = progressBar(`seed ${seed + 1}/${seeds}`);
      await setup.session.reconstruct({ modelId, caseIds, noiseLevel, seed }, (p) => bar.update(p.done, p.total, 'slices'));
      bar.finish();
      const run = await setup.session.score({ modelId, noiseLevel, seed, alpha, score, structural, alphaSource, thresholdSource: 'validation-search' });
      if (run.threshold.value === null && !shared.allowNoThreshold) {
        throw new FqlabError('bad-argument', shared.valPaths.join(', '),
          `no threshold could be chosen (${run.threshold.note ?? 'no reason given'}); pass --allow-no-threshold to report the threshold-free metrics only.`);
      }
      runs.push(run);
    }

    const written = new Map<string, string[]>();
    const lastRun = runs[runs.length - 1];
    if (outDir) {
      for (const testCase of testCases) {
        const paths: string[] = [];
        for (const layer of EXPORTED_LAYERS) {
          const file = await setup.session.exportLayer({
            caseId: testCase.caseId, layer, ...lastRun.key, threshold: lastRun.threshold.value, thresholdSource: lastRun.threshold.source,
            alphaSource: lastRun.alphaChoice.source,
          });
          const path = join(outDir, file.fileName);
          outputs.write(path, file.bytes);
          paths.push(path);
          if (file.provenanceJson) {
            // The full record beside the map, as the browser's export saves it (the NIfTI header holds 79 characters).
            const sidecar = path.replace(/\.nii\.gz$/, '.json');
            outputs.write(sidecar, file.provenanceJson);
            paths.push(sidecar);
          }
        }
        written.set(testCase.caseId, paths);
      }
    }

    const header: EvaluateHeader = {
      model: setup.checkpointPath,
      modelInfo,
      backend: setup.backend,
      noiseLevel,
      alpha: runs.every((run) => run.alphaChoice.grid === null) ? alpha : null,
      alphaSource,
      alphaGrid: runs.find((run) => run.alphaChoice.grid !== null)?.alphaChoice.grid ?? null,
      score,
      structural,
      seeds,
      validation: valCases.map((c) => c.caseId),
      test: setup.testCaseIds,
      preparation: preparation(modelInfo, valCases),
    };
    const thresholds = seedThresholds(runs);
    const rows = testCaseRows(runs, testCases.map((c) => c.caseId), (caseId) => written.get(caseId) ?? []);
    const result = shard
      ? shardFileOf('evaluate', shard, { ...setup, settings: evaluationSettings(shared) }, header, { thresholds, cases: rows })
      : evaluationReport(header, thresholds, rows);
    if (reportPath) outputs.write(reportPath, reportFileContents(result));
    return result;
  },
};

/**
 * The evaluate report's numbers from one scoring run per seed: per seed the test-set mean, then mean +- std of those
 * over seeds (population std), and per test volume its values averaged over seeds.
 */
export function summarizeOverSeeds(runs: readonly EvaluationResult[], testCases: readonly CaseInfo[]) {
  return summarizeRows(seedThresholds(runs), testCaseRows(runs, testCases.map((c) => c.caseId)));
}
