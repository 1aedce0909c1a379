// The worker's method catalogue and its models kept for comparison: scored by id beside (and after) the current model.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../workers/api.ts';
import { Session } from '../../src/session/session.ts';
import { syntheticCase } from '../analysis/syntheticCases.ts';

const config: TrainConfig = { method: 'thresh', preset: 'paper', loss: 'fq', alpha: 0.84, air: 'off', noise: 'simplex', patched: true, steps: 1, batchSize: 2, seed: 1, evaluateEvery: 0 };

const cases = [syntheticCase('h1', 'healthy-train', 21, 0), syntheticCase('v1', 'validation', 23, 2), syntheticCase('t1', 'test', 24, 2)];

describe('methods and comparison models in the worker', () => {
  let worker: Session;

  beforeAll(async () => {
    worker = new Session();
    await worker.initBackend('wasm');
    for (const c of cases) worker.pipeline.cases.put(c);
  });

  it('describes every method with the registry\'s parameter counts, surrogates marked', async () => {
    const methods = await worker.methods();
    expect(methods.map((m) => m.name)).toEqual(['thresh', 'ae', 'sae', 'vae', 'svae', 'dae', 'fanogan', 'ddpm', 'mddpm', 'pddpm']);
    const byName = Object.fromEntries(methods.map((m) => [m.name, m]));
    expect(byName.thresh).toMatchObject({ trains: false, surrogate: false, presets: [{ preset: 'paper', parameters: 0, gflopPerSlice: null }] });
    expect(byName.ae).toMatchObject({ trains: true, surrogate: true });
    expect(byName.svae).toMatchObject({ trains: true, surrogate: true, batchUnit: 'volumes', defaultBatch: 4 });
    expect(byName.ae).toMatchObject({ batchUnit: 'slices', defaultBatch: 32 });
    expect(byName.fanogan.presets.find((p) => p.preset === 'paper')?.parameters).toBe(23_726_402);
    expect(byName.ae.presets.find((p) => p.preset === 'paper')?.parameters).toBe(1_520_529);
    expect(byName.pddpm.presets.find((p) => p.preset === 'paper')).toMatchObject({ parameters: 37_513_857, gflopPerSlice: expect.any(Number) });
  });

  it('scores a compared model by id after the current model changed, until it is removed', async () => {
    const plain = await worker.train(config, () => {});
    // Nothing is trained, so the FQ loss asked for is not recorded.
    expect(plain.loss).toBe('l1');
    const plainBytes = await worker.saveCheckpoint();
    const compared = await worker.addComparisonModel(plainBytes, 'thresh.fqlab');
    expect(compared.modelId).toBe(plain.modelId);
    // Another current model (thresh with equalisation has other settings, so another id).
    const current = await worker.train({ ...config, methodOptions: { equalize: true } }, () => {});
    expect(current.modelId).not.toBe(plain.modelId);

    const request = { modelId: plain.modelId, noiseLevel: 500, seed: 0, alpha: 0.84, score: 'l1' as const, thresholdSource: 'validation-search' as const };
    await worker.reconstruct({ ...request, caseIds: ['v1', 't1'] }, () => {});
    const summary = await worker.scoreSeeds(request, [0], () => {});
    expect(summary.perSeed).toHaveLength(1);
    expect(summary.mean.auprc.mean).toBeGreaterThan(0);

    await worker.removeComparisonModel(plain.modelId);
    await expect(worker.scoreSeeds(request, [0], () => {})).rejects.toMatchObject({ code: 'stale-model' });
  });

  it('makes a thresh checkpoint for comparison without touching the current model, and refuses a method that trains', async () => {
    const current = await worker.train({ ...config, methodOptions: { equalize: true } }, () => {});
    const bytes = await worker.untrainedCheckpoint(config);
    const compared = await worker.addComparisonModel(bytes, 'Thresh');
    expect(compared).toMatchObject({ method: 'thresh', parameters: 0, airApplied: false });
    expect(compared.modelId).not.toBe(current.modelId);
    expect((await worker.addComparisonModel(await worker.saveCheckpoint(), 'current')).modelId).toBe(current.modelId);
    await expect(worker.untrainedCheckpoint({ ...config, method: 'ae', preset: 'tiny' })).rejects.toThrow(/train it/);
  });
});
