// f-AnoGAN: network sizes against BASELINES.md 7, the gradient penalty's double backprop, both stages, checkpoint and resume.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fanoganSettings } from '../../../src/engine/methods/fanogan/index.ts';
import { defaultGanSteps } from '../../../src/engine/methods/fanogan/split.ts';
import { averagePool2, FanoganModel, fanoganParamSpecs } from '../../../src/engine/methods/fanogan/network.ts';
import { FANOGAN_STAGES } from '../../../src/engine/methods/fanogan/stages.ts';
import { freshWeights } from '../../../src/engine/methods/weightStore.ts';
import {
  checkCheckpointTensors,
  checkpointWeights,
  deserializeCheckpoint,
  METHODS,
  networkFromWeights,
  serializeCheckpoint,
  Trainer,
  type TrainingConfig,
  type TrainingVolume,
} from '../../../src/engine/index.ts';
import { useWasm } from '../backendSetup.ts';
import { syntheticVolume } from '../synthetic.ts';

const DIMS: [number, number, number] = [32, 32, 4];
const train: TrainingVolume[] = [0, 1].map((i) => syntheticVolume(i, ...DIMS));
const validation: TrainingVolume[] = [syntheticVolume(10, ...DIMS)];
const GAN_STEPS = 3;

function tinyConfig(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return METHODS.fanogan.trainingConfig('tiny', { dims: DIMS, batchSize: 4, validationSlices: 4, validateEvery: 1, seed: 7, baseline: fanoganSettings('tiny', GAN_STEPS), ...overrides });
}

/** The weights of one network (name prefix) as plain arrays. */
async function weightsOf(trainer: Trainer, network: string): Promise<number[][]> {
  const all = await trainer.model.readWeights();
  return [...all].filter(([name]) => name.startsWith(`${network}.`) && !name.includes('running')).map(([, v]) => Array.from(v));
}

describe('f-AnoGAN', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('has the paper sizes of BASELINES.md 7: G 9,323,713, D 9,081,217, E 5,321,472 trainable parameters', () => {
    const method = METHODS.fanogan;
    const networks = method.networks(method.trainingConfig('paper'));
    expect(networks).toEqual([
      { name: 'generator', parameters: 9_323_713 },
      { name: 'critic', parameters: 9_081_217 },
      { name: 'encoder', parameters: 5_321_472 },
    ]);
    // Running statistics of G's 11 and E's 10 BatchNorms are stored state, not parameters; the critic's LayerNorms have none.
    const state = method.paramSpecs(method.trainingConfig('paper')).filter((s) => s.trainable === false);
    expect(state.some((s) => s.name.startsWith('critic.'))).toBe(false);
    expect(state.filter((s) => s.name.startsWith('generator.'))).toHaveLength(2 * 11);
    expect(state.filter((s) => s.name.startsWith('encoder.'))).toHaveLength(2 * 10);
  });

  it('splits a run 3:1 by default (the reference\'s 30,000 + 10,000 steps), one step of each stage from 2 steps', () => {
    expect(defaultGanSteps(40_000)).toBe(30_000);
    expect(defaultGanSteps(4)).toBe(3);
    expect(defaultGanSteps(2)).toBe(1);
    expect(defaultGanSteps(1)).toBe(1);
  });

  it('pools as tf.avgPool does, and its gradient penalty differentiates twice (checked by finite differences)', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const reference = tf.avgPool(x, 2, 2, 'valid').dataSync();
      averagePool2(x).dataSync().forEach((v, i) => expect(v).toBeCloseTo(reference[i], 6));
    });
    const settings = { ...fanoganSettings('tiny'), dim: 2 };
    const weights = freshWeights(fanoganParamSpecs(settings, 32), 'probe', 3);
    const name = 'critic.block1.conv1.weight';
    const penalty = (values: ReadonlyMap<string, Float32Array>): { value: number; gradient: Float32Array } =>
      tf.tidy(() => {
        const variables = new Map([...values].map(([k, v]) => [k, tf.variable(tf.tensor(v, fanoganParamSpecs(settings, 32).find((s) => s.name === k)?.shape))]));
        const model = new FanoganModel(settings, 32, (k) => variables.get(k) as tf.Variable);
        const x = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
        const { value, grads } = tf.variableGrads(() => {
          const slope = tf.grad((input: tf.Tensor) => tf.sum(model.critic(input as tf.Tensor4D)))(x);
          return tf.mean(tf.square(tf.sub(tf.sqrt(tf.sum(tf.square(slope), [1, 2, 3])), 1))) as tf.Scalar;
        }, [variables.get(name) as tf.Variable]);
        const out = { value: value.dataSync()[0], gradient: Float32Array.from(Object.values(grads)[0].dataSync()) };
        for (const v of variables.values()) v.dispose();
        return out;
      });
    const { gradient } = penalty(weights);
    // The input gradient of a ReLU network jumps where a unit flips, so the step must stay below the nearest flip (at 1e-4
    // one unit flips for this seed); central differences in float32 on the weights with the largest gradient.
    const h = 3e-5;
    const largest = [...gradient.keys()].sort((a, b) => Math.abs(gradient[b]) - Math.abs(gradient[a])).slice(0, 4);
    for (const index of largest) {
      const shifted = (delta: number) => new Map([...weights].map(([k, v]) => [k, k === name ? v.map((w, i) => (i === index ? w + delta : w)) : v]));
      const numeric = (penalty(shifted(h)).value - penalty(shifted(-h)).value) / (2 * h);
      expect(Math.abs(numeric - gradient[index])).toBeLessThan(0.05 * Math.abs(gradient[index]));
    }
  });

  it('trains WGAN-GP then only the encoder, validates in the encoder stage, and reloads to the same reconstruction', async () => {
    const trainer = Trainer.create(tinyConfig({ loss: 'fq' }), { train, validation });
    const progress: { stage?: string; valLoss: number | null }[] = [];
    const before = { generator: await weightsOf(trainer, 'generator'), critic: await weightsOf(trainer, 'critic'), encoder: await weightsOf(trainer, 'encoder') };
    await trainer.run(1, { onProgress: (p) => progress.push(p) });
    // The optimisers exist from the first step; after it no step leaves a tensor behind.
    const tensorsAfterFirstStep = tf.memory().numTensors;
    await trainer.run(GAN_STEPS - 1, { onProgress: (p) => progress.push(p) });
    const afterGan = { generator: await weightsOf(trainer, 'generator'), critic: await weightsOf(trainer, 'critic'), encoder: await weightsOf(trainer, 'encoder') };
    expect(afterGan.generator).not.toEqual(before.generator);
    expect(afterGan.critic).not.toEqual(before.critic);
    expect(afterGan.encoder).toEqual(before.encoder);
    await trainer.run(2, { onProgress: (p) => progress.push(p) });
    expect(await weightsOf(trainer, 'generator')).toEqual(afterGan.generator);
    expect(await weightsOf(trainer, 'critic')).toEqual(afterGan.critic);
    expect(await weightsOf(trainer, 'encoder')).not.toEqual(afterGan.encoder);
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);

    expect(progress.map((p) => p.stage)).toEqual([FANOGAN_STAGES.gan, FANOGAN_STAGES.gan, FANOGAN_STAGES.gan, FANOGAN_STAGES.encoder, FANOGAN_STAGES.encoder]);
    expect(trainer.history.map((h) => Number.isFinite(h.loss))).toEqual([true, true, true, true, true]);
    // validateEvery 1, but a WGAN-GP step has no izi_f loss to pick weights by.
    expect(trainer.history.map((h) => h.valLoss !== null)).toEqual([false, false, false, true, true]);

    const bytes = serializeCheckpoint(await trainer.toCheckpoint());
    const contents = deserializeCheckpoint(bytes, 'f.fqlab');
    checkCheckpointTensors(contents, 'f.fqlab');
    expect(contents.config.baseline).toMatchObject({ kind: 'fanogan', ganSteps: GAN_STEPS });
    const reloaded = networkFromWeights(contents.config, checkpointWeights(contents, 'model'));
    const fromTrainer = networkFromWeights(contents.config, await trainer.inferenceWeights());
    const volume = syntheticVolume(3, ...DIMS).image;
    const options = { dims: DIMS, noiseLevel: 500, seed: 0 };
    const tensors = tf.memory().numTensors;
    const recon = await reloaded.reconstruct(volume, options);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(recon.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Array.from(await fromTrainer.reconstruct(volume, options))).toEqual(Array.from(recon));
    for (const d of [reloaded, fromTrainer, trainer]) d.dispose();
  });

  it('runs the critic in micro-batches to the losses of the whole batch (up to float32 rounding)', async () => {
    // The first loss checks the chunks' weighting, the second the update they make. (Weights are no test: Adam with beta1 0
    // is blind to a gradient's scale and steps either way where a gradient is at rounding level; the Winograd filter
    // gradient's rounding, about 3e-5 of its scale, moves the second loss by about 1e-5.)
    const run = async (microBatchSize: number): Promise<{ losses: number[] }> => {
      const trainer = Trainer.create(tinyConfig({ validationSlices: 0, microBatchSize }), { train, validation: [] });
      await trainer.run(2);
      const result = { losses: trainer.history.map((h) => h.loss) };
      trainer.dispose();
      return result;
    };
    const whole = await run(4);
    const chunked = await run(1);
    expect(chunked.losses[0]).toBeCloseTo(whole.losses[0], 5);
    expect(chunked.losses[1]).toBeCloseTo(whole.losses[1], 4);
  });

  it('resumes exactly across the stage boundary (Adam of G and D, RMSprop of E, running statistics)', async () => {
    const config = tinyConfig({ validationSlices: 0 });
    const straight = Trainer.create(config, { train, validation: [] });
    await straight.run(GAN_STEPS + 2);
    const first = Trainer.create(config, { train, validation: [] });
    await first.run(GAN_STEPS - 1);
    const resumed = Trainer.fromCheckpoint(deserializeCheckpoint(serializeCheckpoint(await first.toCheckpoint()), 'r.fqlab'), { train, validation: [] });
    await resumed.run(2);
    const halfway = Trainer.fromCheckpoint(deserializeCheckpoint(serializeCheckpoint(await resumed.toCheckpoint()), 'r.fqlab'), { train, validation: [] });
    await halfway.run(1);
    expect(halfway.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    expect(await halfway.model.readWeights()).toEqual(await straight.model.readWeights());
    for (const t of [straight, first, resumed, halfway]) t.dispose();
  });
});
