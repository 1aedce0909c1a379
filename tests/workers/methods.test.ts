// Models of every method in the worker: trained through it, saved, loaded back from their checkpoint bytes (as the browser does) and scored.
import { beforeAll, describe, expect, it } from 'vitest';
import type { MethodName, TrainConfig } from '../../workers/api.ts';
import { Session } from '../../src/session/session.ts';
import { syntheticCase } from '../analysis/syntheticCases.ts';

const config: TrainConfig = { preset: 'tiny', loss: 'fq', alpha: 0.84, air: 'off', noise: 'simplex', patched: true, steps: 2, batchSize: 2, seed: 1, evaluateEvery: 0 };

const cases = [syntheticCase('h1', 'healthy-train', 21, 0), syntheticCase('v1', 'validation', 23, 2), syntheticCase('t1', 'test', 24, 2)];

describe('every method through the worker', () => {
  let trainer: Session;

  beforeAll(async () => {
    trainer = new Session();
    await trainer.initBackend('wasm');
    for (const c of cases) trainer.pipeline.cases.put(c);
  });

  // One method per kind of settings (thresh, Baur autoencoders, DAE); tests/engine/methods covers every network.
  for (const method of ['thresh', 'ae', 'dae'] as MethodName[]) {
    it(`${method}: trains, and its checkpoint loads in a fresh worker that reconstructs and scores with it`, async () => {
      const preset = method === 'thresh' ? 'paper' : 'tiny';
      const trained = await trainer.train({ ...config, method, preset }, () => {});
      expect(trained).toMatchObject({ method, preset, step: method === 'thresh' ? 0 : 2 });
      const bytes = await trainer.saveCheckpoint();

      const browser = new Session();
      await browser.initBackend('wasm');
      for (const c of cases) browser.pipeline.cases.put(c);
      const loaded = await browser.loadCheckpoint(bytes, `${method}.fqlab`);
      expect(loaded).toEqual(trained);
      const at500 = { modelId: loaded.modelId, noiseLevel: 500, seed: 0 };
      await browser.reconstruct({ ...at500, caseIds: ['v1', 't1'] }, () => {});
      const result = await browser.score({ ...at500, alpha: 0.84, score: 'l1', thresholdSource: 'validation-search' });
      expect(result.mean.auprc.mean).toBeGreaterThan(0);
    });
  }

  it('refuses a preset the method does not offer, naming it', async () => {
    await expect(trainer.train({ ...config, method: 'ae', preset: 'base' }, () => {})).rejects.toMatchObject({ message: expect.stringMatching(/AE has no preset base; choose one of paper, small, tiny/) });
  });
});
