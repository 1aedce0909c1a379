// Every trainable method trains a few steps on its tiny preset, saves, reloads through the checkpoint reader and reconstructs the same.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkCheckpointTensors,
  checkpointWeights,
  deserializeCheckpoint,
  METHODS,
  networkFromWeights,
  serializeCheckpoint,
  Trainer,
  type MethodName,
  type MethodOptions,
  type TrainingConfig,
  type TrainingVolume,
} from '../../../src/engine/index.ts';
import { useWasm } from '../backendSetup.ts';
import { syntheticVolume } from '../synthetic.ts';

const DIMS: [number, number, number] = [32, 32, 4];
const train: TrainingVolume[] = [0, 1].map((i) => syntheticVolume(i, ...DIMS));
const validation: TrainingVolume[] = [syntheticVolume(10, ...DIMS)];

function tinyConfig(name: MethodName, overrides: Partial<TrainingConfig> = {}, options: MethodOptions = {}): TrainingConfig {
  return METHODS[name].trainingConfig('tiny', { dims: DIMS, batchSize: 4, microBatchSize: 4, validationSlices: 4, validateEvery: 2, seed: 5, ...overrides }, options);
}

/** Each trained method (svae: batches of whole volumes), and the vae's UPD variant, by the name the test reports. */
const TRAINED: [string, MethodName, MethodOptions][] = [
  ['ae', 'ae', {}],
  ['sae', 'sae', {}],
  ['vae', 'vae', {}],
  ['vae --vae-variant upd', 'vae', { vaeVariant: 'upd' }],
  ['svae', 'svae', {}],
  ['dae', 'dae', {}],
  ['ddpm', 'ddpm', {}],
];

describe('methods train and reload', () => {
  beforeAll(async () => {
    await useWasm();
  });

  for (const [label, name, methodOptions] of TRAINED) {
    it(`${label}: 3 finite steps with l1 and FQ, a checkpoint that reloads and reconstructs identically`, async () => {
      for (const loss of ['l1', 'fq'] as const) {
        const trainer = Trainer.create(tinyConfig(name, { loss }, methodOptions), { train, validation });
        await trainer.run(3);
        expect(trainer.history.map((h) => h.loss).every(Number.isFinite)).toBe(true);
        expect(trainer.bestValLoss).not.toBeNull();
        const bytes = serializeCheckpoint(await trainer.toCheckpoint());
        const contents = deserializeCheckpoint(bytes, 'x.fqlab');
        checkCheckpointTensors(contents, 'x.fqlab');
        expect(contents.config.method).toBe(name);
        expect(contents.config.baseline?.kind).toBe(tinyConfig(name, {}, methodOptions).baseline?.kind);
        const reloaded = networkFromWeights(contents.config, checkpointWeights(contents, 'model'));
        const before = tf.memory().numTensors;
        const volume = syntheticVolume(3, ...DIMS).image;
        const options = { dims: DIMS, noiseLevel: 500, seed: 0 };
        const recon = await reloaded.reconstruct(volume, options);
        expect(tf.memory().numTensors).toBe(before);
        expect(recon.length).toBe(volume.length);
        expect(recon.every(Number.isFinite)).toBe(true);
        // The best weights were the ones validated at step 2; the trainer's inference weights are those.
        const fromTrainer = networkFromWeights(contents.config, await trainer.inferenceWeights());
        expect(Array.from(await fromTrainer.reconstruct(volume, options))).toEqual(Array.from(recon));
        fromTrainer.dispose();
        reloaded.dispose();
        trainer.dispose();
      }
    });
  }

  it('learns: overfitting a few slices more than halves the loss (spatial AE: training loss; DAE: fixed validation loss)', async () => {
    const adam = { learningRate: 3e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    // BatchNorm's running statistics (momentum 0.99, as B) lag far behind 40 steps, so the AE family is judged in training mode.
    const sae = Trainer.create(tinyConfig('sae', { adam, validationSlices: 0 }), { train, validation: [] });
    await sae.run(40);
    expect(sae.history[39].loss).toBeLessThan(0.5 * sae.history[0].loss);
    sae.dispose();
    const dae = Trainer.create(tinyConfig('dae', { adam, validateEvery: 1000 }), { train, validation: train });
    const start = (await dae.validate()) as number;
    await dae.run(40);
    expect((await dae.validate()) as number).toBeLessThan(0.5 * start);
    dae.dispose();
  });

  it('gives the same loss curve for the same seed (dropout, VAE draws and DAE noise come from the run\'s stream)', async () => {
    for (const name of ['vae', 'svae', 'dae'] as const) {
      const curve = async (): Promise<number[]> => {
        const t = Trainer.create(tinyConfig(name, { validationSlices: 0 }), { train, validation: [] });
        await t.run(2);
        t.dispose();
        return t.history.map((h) => h.loss);
      };
      expect(await curve()).toEqual(await curve());
    }
  });

  it('updates BatchNorm running statistics during training, and resumes a run exactly', async () => {
    const config = tinyConfig('ae', { validationSlices: 0 });
    const straight = Trainer.create(config, { train, validation: [] });
    const initial = (await straight.model.readWeights()).get('encoder.0.bn.running_mean');
    await straight.run(2);
    const after = (await straight.model.readWeights()).get('encoder.0.bn.running_mean');
    expect(Array.from(after ?? [])).not.toEqual(Array.from(initial ?? []));
    const first = Trainer.create(config, { train, validation: [] });
    await first.run(1);
    const resumed = Trainer.fromCheckpoint(deserializeCheckpoint(serializeCheckpoint(await first.toCheckpoint()), 'r.fqlab'), { train, validation: [] });
    await resumed.run(1);
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    expect(await resumed.model.readWeights()).toEqual(await straight.model.readWeights());
    for (const t of [straight, first, resumed]) t.dispose();
  });
});
