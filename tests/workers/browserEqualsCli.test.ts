// The workbench's numbers equal `fqlab evaluate`'s: the worker class the page runs (in Node), fed the demo as the page feeds it,
// against the command the page's "Copy CLI command" gives, run in its own process, for the same cases, model and scoring.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_MODEL, DEMO_MODELS } from '../../src/ui/demo/demoSettings.ts';
import { useAnalysisStore } from '../../src/ui/stores/analysisStore.ts';
import type { DemoManifest } from '../../scripts/make-demo/manifest.ts';
import { Session } from '../../src/session/session.ts';
import { CLI_PREFIX, evaluateCliCommand } from '../../src/ui/export/cliCommand.ts';

/** Reconstructing with the demo model may take minutes on a loaded 2-core machine; only a hang should fail it. */
const SLOW_RUN_MS = 400_000;

const demo = fileURLToPath(new URL('../../public/demo/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(demo, 'manifest.json'), 'utf8')) as DemoManifest;
const CASES = ['val-03', 'test-01'];
const bin = fileURLToPath(new URL('../../bin/fqlab.mjs', import.meta.url));

/** Runs a copied `npx fqlab ...` command in a shell, in `cwd`, with this checkout's bin in place of npx. */
function runCopiedCommand(command: string, cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const local = `'${process.execPath}' '${bin}'${command.slice(CLI_PREFIX.length)}`;
  return new Promise((resolve) => {
    execFile('sh', ['-c', local], { cwd, encoding: 'utf8', timeout: SLOW_RUN_MS }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

describe('the workbench and fqlab evaluate give the same numbers', () => {
  it("for the demo model, its noise level and score, and the page's seed and alpha", async () => {
    const model = DEMO_MODELS[DEFAULT_DEMO_MODEL];
    const { seed, alpha, thresholdSource } = useAnalysisStore.getState();
    const demoCases = manifest.cases.filter((c) => CASES.includes(c.id));
    // The command as the page builds it, run in the demo folder (the model file named relative to it).
    const { command } = evaluateCliCommand({
      modelFile: `models/${model.file}`,
      cases: demoCases.map((c) => ({
        caseId: c.id, split: c.split, modality: c.modality, conformed: true, smoothing: true, registered: false,
        fileNames: [c.files.image, c.files.brainMask, c.files.seg].filter((f) => f !== undefined),
      })),
      noiseLevel: model.noiseLevel,
      alpha,
      score: model.score,
      seed,
      thresholdSource,
    });
    expect(command).toMatch(/^npx fqlab evaluate --model models\/\S+ --val val-03_\S+ .* --test test-01_/);
    const cli = runCopiedCommand(command, demo);

    // As the demo loads it: files as they are (already conformed), the manifest's split and modality, the checkpoint.
    const worker = new Session();
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
    const report = JSON.parse(result.stdout) as { perSeed: { seed: number; threshold: number | null; dice: number | null; auprc: number | null; auroc: number | null }[] };
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
