// Tests training, pause/cancel and checkpoints through the worker object in Node with the tiny U-Net (a few steps only).
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_VERSION } from '../../src/core/appVersion.ts';
import { contentHash } from '../../src/core/contentHash.ts';
import { readNifti } from '../../src/core/nifti/index.ts';
import { unetParameterCount, unetPreset } from '../../src/engine/index.ts';
import type { TrainConfig, TrainProgress } from '../../workers/api.ts';
import { exposedApi } from '../../workers/exposedApi.ts';
import { Session } from '../../src/session/session.ts';
import { TrainedModel } from '../../src/session/trainedModel.ts';
import { engineTrainingConfig, healthyVolume, trainingAirStatistics, trainingSmoothing } from '../../src/session/trainingRun.ts';
import { syntheticCase } from '../analysis/syntheticCases.ts';

const config: TrainConfig = {
  preset: 'tiny',
  loss: 'fq',
  alpha: 0.84,
  air: 'stats',
  noise: 'simplex',
  patched: true,
  steps: 2,
  batchSize: 2,
  seed: 1,
  evaluateEvery: 0,
};

const healthy = syntheticCase('h1', 'healthy-train', 21, 0);
const withLesions = syntheticCase('l1', 'healthy-train', 22, 2);

describe('worker training', () => {
  let worker: Session;
  let checkpoint: Uint8Array;

  beforeAll(async () => {
    worker = new Session();
    await worker.initBackend('auto');
    worker.pipeline.cases.put(healthy);
  });

  it('trains the tiny preset, reporting every step, and returns the model facts', async () => {
    const progress: TrainProgress[] = [];
    const info = await worker.train(config, (p) => progress.push(p));
    expect(progress.map((p) => p.step)).toEqual([1, 2]);
    expect(progress.every((p) => p.totalSteps === 2 && Number.isFinite(p.loss) && p.loss > 0)).toBe(true);
    expect(info).toEqual({
      modelId: expect.stringMatching(/^model-[0-9a-f]{16}-\d+$/),
      method: 'pddpm',
      preset: 'tiny',
      parameters: unetParameterCount(unetPreset('tiny')),
      loss: 'fq',
      alpha: 0.84,
      airApplied: trainingAirStatistics([healthy]).suggested,
      airMode: 'stats',
      smoothing: healthy.stats.smoothing,
      noise: 'simplex',
      patched: true,
      step: 2,
      bestValLoss: null,
      methodOptions: {},
    });
    checkpoint = await worker.saveCheckpoint();
    expect(info.modelId).toBe(`model-${contentHash(checkpoint)}`);
  });

  it('resumes a saved run exactly where an uninterrupted run would be', async () => {
    const uninterrupted = new Session();
    await uninterrupted.initBackend('auto');
    uninterrupted.pipeline.cases.put(healthy);
    const straight: TrainProgress[] = [];
    await uninterrupted.train({ ...config, steps: 4 }, (p) => straight.push(p));

    const resumed = new Session();
    await resumed.initBackend('auto');
    resumed.pipeline.cases.put(healthy);
    await resumed.loadCheckpoint(checkpoint, 'run.fqlab'); // the 2-step run of the first test
    const continued: TrainProgress[] = [];
    // Settings that differ from the checkpoint's are ignored on resume: the run goes on as it was.
    const info = await resumed.train({ ...config, steps: 4, batchSize: 7, seed: 99, resume: true }, (p) => continued.push(p));
    expect(continued.map((p) => p.step)).toEqual([3, 4]);
    expect(continued.map((p) => p.loss)).toEqual(straight.slice(2).map((p) => p.loss));
    expect(info.step).toBe(4);
    expect(await resumed.saveCheckpoint()).toEqual(await uninterrupted.saveCheckpoint());
  });

  it('pauses between steps and cancels, keeping the previous model', async () => {
    const api = exposedApi(worker);
    const steps: number[] = [];
    const run = api.train({ ...config, steps: 50 }, (p) => {
      steps.push(p.step);
      if (p.step === 1) void api.pauseTraining();
    });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(steps).toEqual([1]);
    expect(structuredClone(await api.train(config, () => undefined).catch((e: unknown) => e))).toMatchObject({ code: 'busy' });
    await api.cancelTraining();
    expect(await run.catch((e: unknown) => e)).toMatchObject({ code: 'cancelled' });
    expect(await worker.saveCheckpoint()).toEqual(checkpoint);
  });

  it('a checkpoint loads into a fresh worker with the same model facts and bytes', async () => {
    const fresh = new Session();
    const info = await fresh.loadCheckpoint(checkpoint, 'run.fqlab');
    expect(info.step).toBe(2);
    expect(info.preset).toBe('tiny');
    expect(await fresh.saveCheckpoint()).toEqual(checkpoint);
    const error = await exposedApi(fresh).loadCheckpoint(new Uint8Array(64), 'zeros.fqlab').catch((e: unknown) => structuredClone(e));
    expect(error).toMatchObject({ fileName: 'zeros.fqlab' });
  });

  it('a trained model reconstructs deterministically per seed on [0, 1]', async () => {
    const model = TrainedModel.fromCheckpoint(checkpoint, 'run.fqlab');
    const slice = { ...healthy.image, dims: [96, 96, 1] as const, data: healthy.image.data.slice(25 * 9216, 26 * 9216) };
    const a = await model.reconstruct(slice, 500, 3);
    const b = await model.reconstruct(slice, 500, 3);
    const c = await model.reconstruct(slice, 500, 4);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((v) => v >= 0 && v <= 1)).toBe(true);
    model.dispose();
  });
});

describe('worker reconstruct, score and layers with a real (tiny) model', () => {
  it('reconstructs a case once, rescoring and layers come from the cache', async () => {
    const trainer = new Session();
    await trainer.initBackend('auto');
    trainer.pipeline.cases.put(healthy);
    await trainer.train({ ...config, steps: 1 }, () => undefined);
    // The Diagnostics panel's training TFLOP/s: the step's slices/s times 3 forwards' FLOPs of the U-Net.
    expect((await trainer.diagnostics()).throughput.lastTrainingStep?.teraflopsPerSecond).toBeGreaterThan(0);
    const worker = new Session();
    const { modelId } = await worker.loadCheckpoint(await trainer.saveCheckpoint(), 'run.fqlab');
    const test = syntheticCase('t1', 'test', 23, 2);
    worker.pipeline.cases.put(test);
    const progress: { done: number; total: number }[] = [];
    await worker.reconstruct({ modelId, caseIds: ['t1'], noiseLevel: 500, seed: 1 }, (p) => progress.push(p));
    expect(progress[progress.length - 1]).toEqual({ done: 50, total: 50 });
    const first = await worker.score({ modelId, noiseLevel: 500, seed: 1, alpha: 0.84, score: 'fq', thresholdSource: 'manual', manualThreshold: 0.1 });
    expect(first.cases[0].auprc).toBeGreaterThan(0);
    await worker.score({ ...first.key, alpha: 0.5, thresholdSource: 'manual', manualThreshold: 0.1 });
    // A newer score request supersedes one still in progress; the viewed case comes first, with its map.
    const viewed: string[] = [];
    const stale = worker.score({ ...first.key, alpha: 0.3, thresholdSource: 'manual', manualThreshold: 0.1 });
    const latest = worker.score({ ...first.key, alpha: 0.4, thresholdSource: 'manual', manualThreshold: 0.1, viewCaseId: 't1' }, (v) => {
      viewed.push(`${v.metrics.caseId} ${v.map.length}`);
    });
    await expect(stale).rejects.toMatchObject({ code: 'superseded' });
    expect((await latest).key.alpha).toBe(0.4);
    expect(viewed).toEqual(['t1 460800']);
    expect(worker.pipeline.reconstructions.size).toBe(1);
    // Reloading the same checkpoint keeps the model's id and its reconstructions; a request for other weights is refused.
    expect((await worker.loadCheckpoint(await trainer.saveCheckpoint(), 'run.fqlab')).modelId).toBe(modelId);
    expect(worker.pipeline.reconstructions.size).toBe(1);
    await expect(worker.score({ ...first.key, modelId: 'model-other', thresholdSource: 'manual', manualThreshold: 0.1 })).rejects.toMatchObject({ code: 'stale-model' });
    const recon = readNifti((await worker.getLayer({ caseId: 't1', layer: 'reconstruction', ...first.key, threshold: null })).bytes, 'recon').volume;
    expect(recon.dims).toEqual([96, 96, 50]);
    const exported = await worker.exportLayer({ caseId: 't1', layer: 'prediction', ...first.key, threshold: first.threshold.value, thresholdSource: first.threshold.source });
    const exportedFile = readNifti(exported.bytes, exported.fileName);
    expect(exportedFile.volume.dims).toEqual([110, 120, 64]);
    const air = trainingAirStatistics([healthy]).suggested ? 'on' : 'off';
    // The header holds the compact record, the JSON sidecar the whole one.
    expect(exportedFile.header.description).toMatch(new RegExp(`^fqlab ${APP_VERSION} pred fq pddpm \\w+@\\d+ #[0-9a-f]{8} AIR ${air} a0\\.84 n\\d+ s\\d+ t\\S+ manual$`));
    expect(JSON.parse(exported.provenanceJson ?? '{}')).toMatchObject({
      file: exported.fileName, layer: 'prediction', checkpoint: modelId, air: `AIR ${air} (stats)`, smoothing: 'curvature flow 0.125 x 3',
      alpha: first.key.alpha, noiseLevel: first.key.noiseLevel, seed: first.key.seed, threshold: first.threshold.value, thresholdSource: first.threshold.source, appVersion: APP_VERSION,
    });
    const diagnostics = await worker.diagnostics();
    expect(diagnostics.timings.reconstruct).toBeGreaterThan(0);
    expect(diagnostics.backend?.name).toMatch(/wasm|cpu/);
    expect(diagnostics.kernelSet.set).toBe('stock');
    expect(diagnostics.throughput.lastForward?.teraflopsPerSecond).toBeGreaterThan(0);
  });
});

describe('healthyVolume (in-dataset setting)', () => {
  it('clears every slice that holds a lesion from the sampling mask and keeps the rest', () => {
    const volume = healthyVolume(withLesions);
    expect(volume).not.toBeNull();
    const size = 96 * 96;
    for (let k = 0; k < 50; k++) {
      const labels = withLesions.labels?.subarray(k * size, (k + 1) * size) ?? new Uint8Array();
      const mask = Array.from((volume?.brainMask as Float32Array).subarray(k * size, (k + 1) * size));
      const original = Array.from(withLesions.brainMask.data.subarray(k * size, (k + 1) * size));
      expect(mask).toEqual(labels.some((v) => v !== 0) ? original.map(() => 0) : original);
    }
    expect(healthyVolume(healthy)?.brainMask).toBe(healthy.brainMask.data);
  });
});

describe('what a training run records about its data', () => {
  it('records the smoothing the training cases share, and refuses cases prepared differently', () => {
    expect(trainingSmoothing([healthy, withLesions])).toEqual({ timeStep: 0.125, iterations: 3 });
    const unsmoothed = { ...healthy, caseId: 'u', stats: { ...healthy.stats, smoothing: null } };
    expect(trainingSmoothing([unsmoothed])).toBeNull();
    expect(() => trainingSmoothing([healthy, unsmoothed])).toThrow(/training set: .*different read-time smoothing \(1 of 2 smoothed\)/);
  });

  it('decides AIR by the training cases\' modality by default and records modality and smoothing in the config', () => {
    const t1 = { ...healthy, modality: 'T1' as const };
    const t2 = { ...healthy, modality: 'T2' as const };
    expect(engineTrainingConfig({ ...config, air: 'modality' }, [t1]).air).toMatchObject({ mode: 'modality', enabled: true, modalities: ['T1'] });
    expect(engineTrainingConfig({ ...config, air: 'modality' }, [t2]).air).toMatchObject({ mode: 'modality', enabled: false, modalities: ['T2'] });
    expect(engineTrainingConfig(config, [t2]).smoothing).toEqual({ timeStep: 0.125, iterations: 3 });
    expect(() => engineTrainingConfig({ ...config, air: 'modality' }, [t1, t2])).toThrow(/mix modalities/);
  });
});
