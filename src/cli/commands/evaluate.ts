// `fqlab evaluate`: reconstructs validation and test volumes with a trained model and reports DICE/AUPRC, mean +- std over seeds.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from '../../core/metrics/index.ts';
import type { CaseInfo, CaseMetrics, EvaluationResult, MapLayer, ScoreKind } from '../../../workers/api.ts';
import { choiceFlag, integerFlag, numberFlag, optionalString, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { progressBar } from '../progressBar.ts';
import { EVALUATION_FLAGS, evaluationFlags, openEvaluation, preparation, SMOOTHING_USAGE } from '../session.ts';

/** Layers written with --out-dir, on each test image's original grid. */
const EXPORTED_LAYERS: readonly MapLayer[] = ['reconstruction', 'fq', 'prediction'];

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'Evaluate a trained model: threshold on validation volumes, DICE/AUPRC/AUROC on test volumes, over seeds.',
  usage:
    '--model MODEL_DIR --val FILES|DIR [...] --test FILES|DIR [...] [--noise-level 750] [--alpha 0.84]\n' +
    '  [--score fq|l1|ssim] [--seeds 3] [--modality T2] [--backend auto|wasm|cpu|webgpu] [--no-smoothing] [--out-dir D]\n' +
    SMOOTHING_USAGE +
    '  The report names the model\'s AIR decision and smoothing, and warns about cases smoothed unlike its training images.\n' +
    '  Images are paired with their _seg / _brainmask files by name. The threshold comes from the reference search\n' +
    '  on the validation volumes (never the test set). Per seed the test-set mean is taken; the report gives\n' +
    '  mean +- std of those over seeds (population std), and per-volume values averaged over seeds.\n' +
    '  --out-dir writes the reconstruction, FQ map and prediction of the last seed on each test image\'s own grid.',
  options: {
    ...EVALUATION_FLAGS,
    'noise-level': { type: 'string' },
    alpha: { type: 'string' },
    score: { type: 'string' },
    seeds: { type: 'string' },
    'out-dir': { type: 'string' },
  },
  async run(flags: ParsedFlags) {
    const shared = evaluationFlags(flags);
    const noiseLevel = integerFlag(flags, 'noise-level', 750, 1, 1000);
    const alpha = numberFlag(flags, 'alpha', 0.84, 0, 1);
    const score: ScoreKind = choiceFlag(flags, 'score', ['fq', 'l1', 'ssim'] as const, 'fq');
    const seeds = integerFlag(flags, 'seeds', 3, 1, 100);
    const outDir = optionalString(flags, 'out-dir');

    const session = await openEvaluation(shared);
    const { modelInfo, validation: valCases, test: testCases } = session;
    const caseIds = [...valCases, ...testCases].map((c) => c.caseId);

    const runs: EvaluationResult[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const bar = progressBar(`seed ${seed + 1}/${seeds}`);
      await session.worker.reconstruct(caseIds, noiseLevel, seed, (p) => bar.update(p.done, p.total, 'slices'));
      bar.finish();
      runs.push(await session.worker.score({ alpha, score, thresholdSource: 'validation-search' }));
    }

    const written: string[] = [];
    if (outDir) {
      mkdirSync(outDir, { recursive: true });
      for (const testCase of testCases) {
        for (const layer of EXPORTED_LAYERS) {
          const file = await session.worker.exportLayer(testCase.caseId, layer);
          const path = join(outDir, file.fileName);
          writeFileSync(path, file.bytes);
          written.push(path);
        }
      }
    }

    const { mean, perSeed, perVolume } = summarizeOverSeeds(runs, testCases);
    return {
      model: session.checkpointPath,
      modelInfo,
      backend: session.backend,
      noiseLevel,
      alpha,
      score,
      seeds,
      validation: valCases.map((c) => c.caseId),
      test: testCases.map((c) => c.caseId),
      preparation: preparation(modelInfo, [...valCases, ...testCases]),
      mean,
      perSeed,
      perVolume,
      outputs: written,
    };
  },
};

/**
 * The evaluate report's numbers from one scoring run per seed: per seed the test-set mean, then mean +- std of those
 * over seeds (population std), and per test volume its values averaged over seeds.
 */
export function summarizeOverSeeds(runs: readonly EvaluationResult[], testCases: readonly CaseInfo[]) {
  const testMetrics = (run: EvaluationResult): CaseMetrics[] => run.cases.filter((c) => c.split === 'test');
  const perVolume = testCases.map(({ caseId }) => {
    const values = runs.map((run) => testMetrics(run).find((c) => c.caseId === caseId));
    const over = (key: 'dice' | 'auprc' | 'auroc' | 'bestDiceOracle') => summarize(values.map((v) => v?.[key] ?? null));
    return { caseId, dice: over('dice'), auprc: over('auprc'), auroc: over('auroc'), bestDiceOracle: over('bestDiceOracle') };
  });
  const perSeed = runs.map((run, seed) => ({
    seed,
    threshold: run.threshold.value,
    thresholdNote: run.threshold.note ?? null,
    dice: summarize(testMetrics(run).map((c) => c.dice)).mean,
    auprc: summarize(testMetrics(run).map((c) => c.auprc)).mean,
    auroc: summarize(testMetrics(run).map((c) => c.auroc)).mean,
    bestDiceOracle: summarize(testMetrics(run).map((c) => c.bestDiceOracle)).mean,
  }));
  const overSeeds = (key: 'dice' | 'auprc' | 'auroc' | 'bestDiceOracle') => summarize(perSeed.map((s) => s[key]));
  return {
    mean: { dice: overSeeds('dice'), auprc: overSeeds('auprc'), auroc: overSeeds('auroc'), bestDiceOracle: overSeeds('bestDiceOracle') },
    perSeed,
    perVolume,
  };
}
