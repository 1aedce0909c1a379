// Trainer: overfits a few slices, is reproducible per seed, leaks no tensors, keeps the best weights and resumes exactly from a checkpoint.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultTrainingConfig,
  methodDescription,
  deserializeCheckpoint,
  prepareVolumes,
  Rng,
  serializeCheckpoint,
  SliceSampler,
  Trainer,
  type TrainingConfig,
  type TrainingVolume,
} from '../../src/engine/index.ts';
import { startEngineWorkers } from '../../src/engine/nodeEngineWorkers.ts';
import { useWasm } from './backendSetup.ts';
import { syntheticVolume } from './synthetic.ts';

/** Small grids keep the test fast; the engine is the same as on 96 x 96 x 50. */
const DIMS: [number, number, number] = [32, 32, 6];
const train: TrainingVolume[] = [0, 1, 2].map((i) => syntheticVolume(i, ...DIMS));
const validation: TrainingVolume[] = [syntheticVolume(10, ...DIMS)];

function config(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return defaultTrainingConfig('tiny', { dims: DIMS, batchSize: 4, validationSlices: 8, validateEvery: 1000, seed: 3, ...overrides });
}

describe('Trainer', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('overfits a handful of slices: the fixed validation loss falls well below its start', async () => {
    const trainer = Trainer.create(config({ adam: { learningRate: 2e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, loss: 'l1', noise: 'gaussian' }), { train, validation: train });
    const start = await trainer.validate();
    await trainer.run(30);
    const end = await trainer.validate();
    expect(start).not.toBeNull();
    expect(end as number).toBeLessThan(0.5 * (start as number));
    trainer.dispose();
  });

  it('gives the identical loss curve for the same seed, a different one for another seed', async () => {
    const curve = async (seed: number): Promise<number[]> => {
      const t = Trainer.create(config({ seed }), { train, validation: [] });
      await t.run(3);
      const losses = t.history.map((h) => h.loss);
      t.dispose();
      return losses;
    };
    const a = await curve(7);
    expect(await curve(7)).toEqual(a);
    expect(await curve(8)).not.toEqual(a);
  });

  it('keeps tf.memory().numTensors flat across steps and validations', async () => {
    const trainer = Trainer.create(config({ validateEvery: 2 }), { train, validation });
    await trainer.trainStep();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) await trainer.trainStep();
    await trainer.validate();
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });

  it('leaves no tensor behind once a trained run (U-Net, Adam moments) is disposed', async () => {
    const before = tf.memory().numTensors;
    const trainer = Trainer.create(config({}), { train, validation: [] });
    await trainer.trainStep();
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports progress, stops between steps when its signal aborts, and keeps the best-validation weights', async () => {
    const trainer = Trainer.create(config({ validateEvery: 1 }), { train, validation });
    const seen: number[] = [];
    const stop = new AbortController();
    const last = await trainer.run(10, {
      signal: stop.signal,
      onProgress: (p) => {
        seen.push(p.step);
        expect(p.slicesPerSecond).toBeGreaterThan(0);
        expect(p.etaSeconds).toBeGreaterThanOrEqual(0);
        expect(p.valLoss).not.toBeNull();
        if (p.step === 3) stop.abort();
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(last?.step).toBe(3);
    const vals = trainer.history.map((h) => h.valLoss as number);
    expect(trainer.bestValLoss).toBe(Math.min(...vals));
    const contents = await trainer.toCheckpoint(true);
    expect(contents.training).toBeNull();
    const bestStep = vals.indexOf(Math.min(...vals)) + 1;
    if (bestStep === 3) {
      expect(Array.from(contents.tensors.get('model/out.2.weight')?.values ?? [])).toEqual(Array.from((await trainer.model.readWeights()).get('out.2.weight') ?? []));
    }
    // The trainer goes on with run() after an abort.
    await trainer.run(1);
    expect(trainer.step).toBe(4);
    trainer.dispose();
  });

  it('round-trips through a checkpoint: same weights, and resuming continues the uninterrupted curve exactly', async () => {
    const cfg = config({ validateEvery: 2 });
    const straight = Trainer.create(cfg, { train, validation });
    await straight.run(6);

    const first = Trainer.create(cfg, { train, validation });
    await first.run(3);
    const bytes = serializeCheckpoint(await first.toCheckpoint());
    const contents = deserializeCheckpoint(bytes, 'run.fqlab');
    const resumed = Trainer.fromCheckpoint(contents, { train, validation });
    const w1 = await first.model.readWeights();
    const w2 = await resumed.model.readWeights();
    for (const [name, v] of w1) expect(Array.from(w2.get(name) ?? [])).toEqual(Array.from(v));
    await resumed.run(3);

    expect(resumed.history).toEqual(straight.history);
    expect(resumed.bestValLoss).toBe(straight.bestValLoss);
    const ws = await straight.model.readWeights();
    const wr = await resumed.model.readWeights();
    for (const [name, v] of ws) expect(Array.from(wr.get(name) ?? [])).toEqual(Array.from(v));
    [straight, first, resumed].forEach((t) => t.dispose());
  });

  it('refuses to resume from a weights-only checkpoint', async () => {
    const t = Trainer.create(config(), { train, validation: [] });
    const contents = deserializeCheckpoint(serializeCheckpoint(await t.toCheckpoint(true)), 'slim.fqlab');
    expect(() => Trainer.fromCheckpoint(contents, { train, validation: [] })).toThrow(/weights only/);
    t.dispose();
  });
});

describe('training data', () => {
  it('draws one slice per volume per epoch, only slices with brain when asked', () => {
    const prepared = prepareVolumes(train, false, true, DIMS);
    const sampler = new SliceSampler(prepared, new Rng(1));
    for (let epoch = 0; epoch < 3; epoch++) {
      const volumes = [0, 1, 2].map(() => sampler.next());
      expect(volumes.map((v) => v.volume).sort()).toEqual([0, 1, 2]);
      for (const v of volumes) expect(prepared[v.volume].slices).toContain(v.slice);
    }
    const all = prepareVolumes(train, false, false, DIMS);
    expect(all[0].slices.length).toBe(DIMS[2]);
  });

  it('applies AIR (1 - x inside the brain, background kept) when on', () => {
    const [v] = prepareVolumes([train[0]], true, true, DIMS);
    for (let p = 0; p < v.image.length; p += 97) {
      expect(v.image[p]).toBeCloseTo(train[0].brainMask[p] !== 0 ? 1 - train[0].image[p] : train[0].image[p], 6);
    }
  });
});

describe('micro-batches', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('accumulate to the same update as one full batch (up to float32 rounding)', async () => {
    const run = async (microBatchSize: number): Promise<{ losses: number[]; weights: Map<string, Float32Array> }> => {
      const t = Trainer.create(config({ batchSize: 4, microBatchSize }), { train, validation: [] });
      await t.run(2);
      const out = { losses: t.history.map((h) => h.loss), weights: await t.model.readWeights() };
      t.dispose();
      return out;
    };
    const whole = await run(4);
    const split = await run(1);
    whole.losses.forEach((l, i) => expect(split.losses[i]).toBeCloseTo(l, 5));
    for (const [name, w] of whole.weights) {
      const s = split.weights.get(name) ?? new Float32Array();
      for (let i = 0; i < w.length; i++) expect(Math.abs(s[i] - w[i])).toBeLessThan(1e-5);
    }
  });

  it('takes the same steps to the bit when a worker thread computes half of the micro-batches', async () => {
    const run = async (helpers?: ReturnType<typeof startEngineWorkers>): Promise<{ losses: number[]; weights: Float32Array[] }> => {
      const trainer = Trainer.create(config({ microBatchSize: 1, validationSlices: 0 }), { train, validation: [] }, { helpers });
      await trainer.run(2);
      const weights = [...(await trainer.model.readWeights()).values()];
      const losses = trainer.history.map((h) => h.loss);
      trainer.dispose();
      return { losses, weights };
    };
    const alone = await run();
    const helpers = startEngineWorkers(1);
    try {
      const shared = await run(helpers);
      expect(shared.losses).toEqual(alone.losses);
      shared.weights.forEach((w, i) => expect(w).toEqual(alone.weights[i]));
    } finally {
      await helpers.close();
    }
  });
});

describe('Trainer helpers', () => {
  beforeAll(async () => {
    await useWasm();
  });

  /** Stands in for worker threads: counts as one engine and is never asked here (no step runs). */
  const idleHelpers = { count: 1, compute: () => Promise.reject(new Error('not expected')), close: () => Promise.resolve() };

  it('shares steps only with networks that keep no per-pass state: pDDPM yes, a BatchNorm autoencoder no', () => {
    const pddpm = Trainer.create(config(), { train, validation: [] }, { helpers: idleHelpers });
    expect(pddpm.gradientEngines).toBe(2);
    pddpm.dispose();
    const aeConfig = methodDescription('ae').trainingConfig('tiny', { dims: DIMS, batchSize: 4, validationSlices: 0, seed: 3 }, {});
    const ae = Trainer.create(aeConfig, { train, validation: [] }, { helpers: idleHelpers });
    expect(ae.gradientEngines).toBe(1);
    ae.dispose();
  });
});
