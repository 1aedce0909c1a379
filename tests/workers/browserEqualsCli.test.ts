// The workbench's numbers equal `fqlab evaluate`'s: the worker class the page runs (in Node), fed the demo as the page feeds it,
// against the CLI in its own process, for the same cases, split, model, noise level, seed, alpha and score.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_MODEL, DEMO_MODELS } from '../../src/ui/demo/demoSettings.ts';
import { useAnalysisStore } from '../../src/ui/stores/analysisStore.ts';
import type { DemoManifest } from '../../scripts/make-demo/manifest.ts';
import { FqlabWorker } from '../../workers/fqlabWorker.ts';
import { runCliAsync } from '../cli/run-cli.ts';

/** Reconstructing with the demo model may take minutes on a loaded 2-core machine; only a hang should fail it. */
const SLOW_RUN_MS = 400_000;

const demo = fileURLToPath(new URL('../../public/demo/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(demo, 'manifest.json'), 'utf8')) as DemoManifest;
const CASES = ['val-03', 'test-01'];

describe('the workbench and fqlab evaluate give the same numbers', () => {
  it("for the demo model, its noise level and score, and the page's seed and alpha", async () => {
    const model = DEMO_MODELS[DEFAULT_DEMO_MODEL];
    const { seed, alpha, thresholdSource } = useAnalysisStore.getState();
    const demoCases = manifest.cases.filter((c) => CASES.includes(c.id));
    const files = (id: string) => {
      const found = demoCases.find((c) => c.id === id);
      return found ? [found.files.image, found.files.brainMask, found.files.seg].filter((f) => f !== undefined).map((f) => join(demo, f)) : [];
    };
    // The CLI numbers seeds 0, 1, ...: --seeds seed+1 includes the page's seed.
    const cli = runCliAsync(
      ['evaluate', '--model', join(demo, 'models', model.file), '--val', ...files('val-03'), '--test', ...files('test-01'),
        '--noise-level', String(model.noiseLevel), '--alpha', String(alpha), '--score', model.score, '--seeds', String(seed + 1)],
      {},
      SLOW_RUN_MS,
    );

    // As the demo loads it: files as they are (already conformed), the manifest's split and modality, the checkpoint.
    const worker = new FqlabWorker();
    for (const c of demoCases) {
      const fileId = async (name: string | undefined) =>
        name === undefined ? undefined : (await worker.loadFile(name, new Uint8Array(readFileSync(join(demo, name))).buffer)).fileId;
      const imageFileId = (await fileId(c.files.image)) as string;
      await worker.defineCase({
        caseId: c.id, imageFileId, brainMaskFileId: await fileId(c.files.brainMask), segFileId: await fileId(c.files.seg),
        modality: c.modality, split: c.split, conformed: true,
      });
    }
    const { modelId } = await worker.loadCheckpoint(readFileSync(join(demo, 'models', model.file)), model.file);
    await worker.reconstruct({ modelId, caseIds: CASES, noiseLevel: model.noiseLevel, seed }, () => undefined);
    const page = await worker.score({ modelId, noiseLevel: model.noiseLevel, seed, alpha, score: model.score, thresholdSource, viewCaseId: 'test-01' });

    const result = await cli;
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = result.json() as { perSeed: { seed: number; threshold: number | null; dice: number | null; auprc: number | null; auroc: number | null }[] };
    const atSeed = report.perSeed[seed];
    const test = page.cases.find((c) => c.caseId === 'test-01');
    expect(page.threshold.value).not.toBeNull();
    expect({ seed: atSeed.seed, threshold: atSeed.threshold, dice: atSeed.dice, auprc: atSeed.auprc, auroc: atSeed.auroc }).toStrictEqual({
      seed,
      threshold: page.threshold.value,
      dice: test?.dice,
      auprc: test?.auprc,
      auroc: test?.auroc,
    });
  }, 2 * SLOW_RUN_MS);
});
