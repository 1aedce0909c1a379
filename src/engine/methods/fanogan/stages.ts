// f-AnoGAN as a trainable network: stage 1 WGAN-GP (critic and generator), stage 2 the izi_f encoder, reconstruction G(E(x)).
import * as tf from '@tensorflow/tfjs';
import { Adam, type AdamSettings } from '../../adam.ts';
import type { Batch, LossSetup } from '../../microBatch.ts';
import { fqMapTf } from '../../ssim.ts';
import type { MethodNetwork, MethodReconstructOptions, OwnTraining } from '../types.ts';
import { sliceWise, StoredWeightsNetwork } from '../weightStore.ts';
import { FanoganModel, fanoganNoisePerSlice, fanoganParamSpecs, type BatchStatistics, type FanoganNetworkName, type FanoganSettings, type ForwardMode } from './network.ts';
import { Rmsprop } from './rmsprop.ts';

/** Stage names as progress reports give them. */
export const FANOGAN_STAGES = { gan: 'stage 1/2: WGAN-GP', encoder: 'stage 2/2: izi_f encoder' } as const;

/** The optimisers, made on first use (inference never needs their state). */
interface Optimizers {
  critic: Adam;
  generator: Adam;
  encoder: Rmsprop;
}

export class FanoganNetwork extends StoredWeightsNetwork implements MethodNetwork, OwnTraining {
  readonly ownTraining: OwnTraining = this;
  private readonly model: FanoganModel;
  private optimizers: Optimizers | null = null;

  constructor(
    readonly settings: FanoganSettings,
    side: number,
    private readonly ganAdam: AdamSettings,
    /** Slices per critic forward/backward pass (its loss is per slice, so chunks sum to the whole batch's gradient). */
    private readonly criticChunk: number,
    weights: ReadonlyMap<string, Float32Array>,
  ) {
    super(fanoganParamSpecs(settings, side), weights);
    this.model = new FanoganModel(settings, side, (name) => this.store.get(name));
  }

  private trainableNamesOf(network: FanoganNetworkName): string[] {
    return this.trainableSpecs.filter((s) => s.name.startsWith(`${network}.`)).map((s) => s.name);
  }

  private variablesOf(network: FanoganNetworkName): tf.Variable[] {
    return this.trainableNamesOf(network).map((name) => this.store.get(name));
  }

  private ensureOptimizers(): Optimizers {
    this.optimizers ??= {
      critic: new Adam(this.variablesOf('critic'), this.ganAdam),
      generator: new Adam(this.variablesOf('generator'), this.ganAdam),
      encoder: new Rmsprop(this.variablesOf('encoder'), this.settings.encoderOptimizer),
    };
    return this.optimizers;
  }

  /** The izi_f loss: the run's image loss (l1 or FQ) of G(E(x)) against x, plus kappa * MSE of the critic's features. */
  private iziLoss(x: tf.Tensor4D, setup: LossSetup, mode: ForwardMode): tf.Scalar {
    const reconstruction = this.model.generate(this.model.encode(x, mode), mode);
    const alpha = setup.loss.kind === 'l1' ? 0 : setup.loss.alpha;
    const image = tf.mean(fqMapTf(reconstruction, x, alpha));
    const features = tf.mean(tf.square(tf.sub(this.model.features(reconstruction), this.model.features(x))));
    return tf.add(image, tf.mul(features, this.settings.featureWeight)) as tf.Scalar;
  }

  private slices(batch: Batch, setup: LossSetup): tf.Tensor4D {
    const [nx, ny] = setup.dims;
    return tf.tensor4d(batch.x0, [batch.size, ny, nx, 1]);
  }

  /** The validation loss: izi_f with running statistics (training: batch statistics). */
  batchLoss(batch: Batch, setup: LossSetup, training: boolean): tf.Scalar {
    return tf.tidy(() => this.iziLoss(this.slices(batch, setup), setup, { training }));
  }

  stageOf(step: number): string {
    return step <= this.settings.ganSteps ? FANOGAN_STAGES.gan : FANOGAN_STAGES.encoder;
  }

  validatesAt(step: number): boolean {
    return step > this.settings.ganSteps;
  }

  step(batch: Batch, setup: LossSetup, stepsDone: number): Promise<number> {
    return stepsDone < this.settings.ganSteps ? this.ganStep(batch, setup, stepsDone) : this.encoderStep(batch, setup);
  }

  /**
   * One WGAN-GP step (UPD's GANtrainer): the critic minimises D(G(z)) - D(x) + lambda * (||grad D(x~)|| - 1)^2 on
   * random interpolates x~, then every criticIterations-th step the generator minimises -D(G(z)) with the same z
   * against the updated critic. Reports the critic's loss.
   */
  private async ganStep(batch: Batch, setup: LossSetup, stepsDone: number): Promise<number> {
    const s = this.settings;
    const optimizers = this.ensureOptimizers();
    const n = batch.size;
    const per = fanoganNoisePerSlice(s);
    const zValues = new Float32Array(n * s.zDim);
    const mix = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      zValues.set(batch.noise.subarray(i * per, i * per + s.zDim), i * s.zDim);
      mix[i] = batch.noise[i * per + s.zDim];
    }
    const statistics: BatchStatistics = new Map();
    const z = tf.tensor2d(zValues, [n, s.zDim]);
    const real = this.slices(batch, setup);
    const fake = tf.tidy(() => this.model.generate(z, { training: true, collect: statistics }));
    const criticVariables = this.variablesOf('critic');
    // The double backprop keeps every intermediate twice over, so the critic runs in chunks; their weighted sum is the batch's.
    type Summed = { loss: tf.Scalar; gradients: tf.Tensor[] };
    let sum: Summed | null = null;
    const chunk = Math.max(1, Math.min(this.criticChunk, n));
    for (let start = 0; start < n; start += chunk) {
      const size = Math.min(chunk, n - start);
      const part = this.gradients(criticVariables, () => {
        const r = tf.slice(real, start, size);
        const f = tf.slice(fake, start, size);
        const wasserstein = tf.sub(tf.sum(this.model.critic(f)), tf.sum(this.model.critic(r)));
        const epsilon = tf.tensor4d(mix.subarray(start, start + size), [size, 1, 1, 1]);
        const interpolates = tf.add(tf.mul(epsilon, r), tf.mul(tf.sub(1, epsilon), f)) as tf.Tensor4D;
        const slope = tf.grad((x: tf.Tensor) => tf.sum(this.model.critic(x as tf.Tensor4D)))(interpolates);
        const norms = tf.sqrt(tf.sum(tf.square(slope), [1, 2, 3]));
        const penalty = tf.sum(tf.square(tf.sub(norms, 1)));
        return tf.div(tf.add(wasserstein, tf.mul(penalty, s.gradientPenaltyWeight)), n) as tf.Scalar;
      });
      if (sum === null) sum = part;
      else {
        const previous: Summed = sum;
        sum = tf.tidy(() => ({ loss: tf.add(previous.loss, part.loss) as tf.Scalar, gradients: previous.gradients.map((g, i) => tf.add(g, part.gradients[i])) }));
        tf.dispose([previous.loss, ...previous.gradients, part.loss, ...part.gradients]);
      }
    }
    if (sum === null) throw new Error('f-AnoGAN: empty batch');
    const { loss: criticLoss, gradients: criticGradients } = sum as Summed;
    optimizers.critic.apply(criticGradients);
    tf.dispose(criticGradients);
    if ((stepsDone + 1) % s.criticIterations === 0) {
      const generatorLoss = this.update(this.variablesOf('generator'), optimizers.generator, () => tf.neg(tf.mean(this.model.critic(this.model.generate(z, { training: true })))) as tf.Scalar);
      generatorLoss.dispose();
    }
    // Running statistics follow the step's one generator pass (UPD runs G twice per step; the difference is the draw).
    this.updateRunningStatistics(statistics);
    tf.dispose([z, real, fake]);
    const loss = (await criticLoss.data())[0];
    criticLoss.dispose();
    return loss;
  }

  /** One encoder step (G and D frozen; G and E in training mode as UPD's model.train()); reports the izi_f loss. */
  private async encoderStep(batch: Batch, setup: LossSetup): Promise<number> {
    const optimizers = this.ensureOptimizers();
    const statistics: BatchStatistics = new Map();
    const x = this.slices(batch, setup);
    const loss = this.update(this.variablesOf('encoder'), optimizers.encoder, () => this.iziLoss(x, setup, { training: true, collect: statistics }));
    this.updateRunningStatistics(statistics);
    x.dispose();
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  }

  /** The loss and its gradients for `variables`, in their order (the caller disposes them). */
  private gradients(variables: tf.Variable[], loss: () => tf.Scalar): { loss: tf.Scalar; gradients: tf.Tensor[] } {
    const { value, grads } = tf.variableGrads(loss, variables);
    const gradients = variables.map((v) => {
      const g = grads[v.name] as tf.Tensor | undefined;
      if (g === undefined) throw new Error(`f-AnoGAN: no gradient reaches ${v.name}`);
      return g;
    });
    return { loss: value, gradients };
  }

  /** Gradients of `loss` for `variables` applied by `optimizer`; returns the loss (the caller disposes it). */
  private update(variables: tf.Variable[], optimizer: Adam | Rmsprop, loss: () => tf.Scalar): tf.Scalar {
    const { loss: value, gradients } = this.gradients(variables, loss);
    optimizer.apply(gradients);
    tf.dispose(gradients);
    return value;
  }

  /** PyTorch's BatchNorm running averages (momentum = weight of the batch; the variance unbiased). */
  private updateRunningStatistics(statistics: BatchStatistics): void {
    const m = this.settings.batchNormMomentum;
    for (const [name, stats] of statistics) {
      tf.tidy(() => {
        const mean = this.store.get(`${name}.running_mean`);
        const variance = this.store.get(`${name}.running_var`);
        const unbiased = tf.mul(stats.variance, stats.count / Math.max(1, stats.count - 1));
        mean.assign(tf.add(tf.mul(mean, 1 - m), tf.mul(stats.mean, m)));
        variance.assign(tf.add(tf.mul(variance, 1 - m), tf.mul(unbiased, m)));
      });
      tf.dispose([stats.mean, stats.variance]);
    }
  }

  /** Adam moments of G and D; for E (RMSprop, no first moment) zeros and its mean squares. In spec order. */
  async optimizerState(): Promise<{ first: Map<string, Float32Array>; second: Map<string, Float32Array> }> {
    const o = this.ensureOptimizers();
    const state = new Map<string, { first: Float32Array; second: Float32Array }>();
    const groups: [FanoganNetworkName, readonly tf.Variable[] | null, readonly tf.Variable[]][] = [
      ['critic', o.critic.firstMoments, o.critic.secondMoments],
      ['generator', o.generator.firstMoments, o.generator.secondMoments],
      ['encoder', null, o.encoder.meanSquares],
    ];
    for (const [network, firsts, seconds] of groups) {
      const names = this.trainableNamesOf(network);
      for (let i = 0; i < names.length; i++) {
        const second = (await seconds[i].data()) as Float32Array;
        state.set(names[i], { first: firsts === null ? new Float32Array(second.length) : ((await firsts[i].data()) as Float32Array), second });
      }
    }
    const pick = (part: 'first' | 'second') => new Map(this.trainableSpecs.map((s) => [s.name, (state.get(s.name) as { first: Float32Array; second: Float32Array })[part]]));
    return { first: pick('first'), second: pick('second') };
  }

  restoreOptimizer(stepsDone: number, first: ReadonlyMap<string, Float32Array>, second: ReadonlyMap<string, Float32Array>): void {
    const o = this.ensureOptimizers();
    const pick = (m: ReadonlyMap<string, Float32Array>, network: FanoganNetworkName): Float32Array[] =>
      this.trainableNamesOf(network).map((name) => {
        const v = m.get(name);
        if (v === undefined) throw new Error(`f-AnoGAN: the checkpoint lacks the optimiser state of ${name}`);
        return v;
      });
    // Bias-correction counts follow from the steps: the critic updates every GAN step, the generator every criticIterations-th.
    const ganSteps = Math.min(stepsDone, this.settings.ganSteps);
    o.critic.restore(ganSteps, pick(first, 'critic'), pick(second, 'critic'));
    o.generator.restore(Math.floor(ganSteps / this.settings.criticIterations), pick(first, 'generator'), pick(second, 'generator'));
    o.encoder.restore(pick(second, 'encoder'));
  }

  reconstruct(volume: Float32Array, options: MethodReconstructOptions): Promise<Float32Array> {
    const inference = { training: false };
    return sliceWise(volume, options.dims, (x) => this.model.generate(this.model.encode(x, inference), inference), options.onProgress);
  }

  override dispose(): void {
    if (this.optimizers !== null) {
      this.optimizers.critic.dispose();
      this.optimizers.generator.dispose();
      this.optimizers.encoder.dispose();
    }
    super.dispose();
  }
}
