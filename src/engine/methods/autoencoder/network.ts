// Baur et al.'s unified dense AE, spatial AE and dense VAE (BASELINES.md 3-4, surrogates) as tfjs functions on NHWC slices.
import * as tf from '@tensorflow/tfjs';
import type { Batch, LossSetup } from '../../microBatch.ts';
import type { Rng } from '../../rng.ts';
import { fqMapTf } from '../../ssim.ts';
import type { ParamSpec } from '../../unetPlan.ts';
import type { MethodNetwork, MethodReconstructOptions } from '../types.ts';
import { sliceWise, StoredWeightsNetwork } from '../weightStore.ts';
import { batchNorm, batchNormSpecs, convSpecs, deconvSpecs, denseSpecs, updateRunningStatistics, type BatchStatistics } from './layers.ts';

/** Which of Baur's unified autoencoders: dense bottleneck (AE), the encoder's feature map as z (spatial AE), or a dense VAE. */
export type BaurVariant = 'dense' | 'spatial' | 'variational';

/** The settings of a Baur autoencoder, saved in checkpoints (TrainingConfig.baseline). */
export interface BaurSettings {
  kind: 'baur';
  variant: BaurVariant;
  /** Encoder filters per stride-2 level (the decoder mirrors them); paper: 32, 64, 128 (96 -> 12). */
  filters: number[];
  /** Square kernel of the strided convolutions (paper 5, TF 'same' padding as in B). */
  kernel: number;
  /** Channels of the 1x1 convolution before flattening (dense and variational; paper 16). */
  bottleneckChannels: number;
  /** Latent size (dense and variational; paper 128). */
  zDim: number;
  /** Dropout on z during training (paper: AE 0.2, VAE 0.1). */
  dropout: number;
  /** LeakyReLU slope of the encoder and decoder blocks (Keras's default 0.3, as B). */
  leakySlope: number;
  /** VAE: weight of the KL term against the pixel-summed reconstruction term (B: 1); the loss divides both by the pixels. */
  klWeight: number;
  /** BatchNorm running-average momentum and epsilon (B's TF defaults 0.99 and 1e-3). */
  batchNormMomentum: number;
  batchNormEpsilon: number;
}

/** Side of the encoder's output for a slice side. */
function latentSide(settings: BaurSettings, side: number): number {
  return side / 2 ** settings.filters.length;
}

/** The weights in order: trainable ones first, BatchNorm running statistics last. */
export function baurParamSpecs(settings: BaurSettings, side: number): ParamSpec[] {
  const { filters, kernel: k, bottleneckChannels: b, zDim, variant } = settings;
  const specs: ParamSpec[] = [];
  let ch = 1;
  filters.forEach((f, i) => {
    specs.push(...convSpecs(`encoder.${i}.conv`, k, ch, f), ...batchNormSpecs(`encoder.${i}.bn`, f));
    ch = f;
  });
  if (variant !== 'spatial') {
    const flat = latentSide(settings, side) ** 2 * b;
    specs.push(...convSpecs('bottleneck.reduce', 1, ch, b), ...denseSpecs('bottleneck.z', flat, zDim));
    if (variant === 'variational') specs.push(...denseSpecs('bottleneck.log_sigma', flat, zDim));
    specs.push(...denseSpecs('bottleneck.expand_dense', zDim, flat), ...convSpecs('bottleneck.expand', 1, b, ch));
  }
  specs.push(...batchNormSpecs('decoder.bn', ch));
  [...filters].reverse().forEach((f, i) => {
    specs.push(...deconvSpecs(`decoder.${i}.deconv`, k, ch, f), ...batchNormSpecs(`decoder.${i}.bn`, f));
    ch = f;
  });
  specs.push(...convSpecs('decoder.out', 1, ch, 1));
  return [...specs.filter((s) => s.trainable !== false), ...specs.filter((s) => s.trainable === false)];
}

/** Values of training noise per slice: dropout draws, then the VAE's standard normal draws of z. */
export function baurNoisePerSlice(settings: BaurSettings): number {
  if (settings.variant === 'spatial') return 0;
  return settings.variant === 'variational' ? 2 * settings.zDim : settings.zDim;
}

/** Training randomness of a batch: per slice, zDim uniforms (dropout) and for the VAE zDim standard normals. */
export function baurTrainingNoise(settings: BaurSettings, rng: Rng, slices: number): Float32Array {
  const per = baurNoisePerSlice(settings);
  const out = new Float32Array(slices * per);
  for (let i = 0; i < slices; i++) {
    const at = i * per;
    for (let j = 0; j < settings.zDim && per > 0; j++) out[at + j] = rng.next();
    if (settings.variant === 'variational') rng.fillNormal(out.subarray(at + settings.zDim, at + per));
  }
  return out;
}

/** What a forward pass does: training (batch statistics, dropout) with its noise, and where to collect BatchNorm statistics. */
export interface ForwardMode {
  training: boolean;
  /** The batch's training noise (baurTrainingNoise); null at inference (z = mu, no dropout). */
  noise: Float32Array | null;
  collect?: BatchStatistics;
}

export class BaurNetwork extends StoredWeightsNetwork implements MethodNetwork {
  /** `specs`: the SVAE adds its transformer's weights to the VAE's (baurParamSpecs order kept: trainable ones first). */
  constructor(readonly settings: BaurSettings, side: number, weights: ReadonlyMap<string, Float32Array>, specs: readonly ParamSpec[] = baurParamSpecs(settings, side)) {
    super(specs, weights);
  }

  protected p(name: string): tf.Tensor {
    return this.store.get(name);
  }

  private batchNorm(x: tf.Tensor4D, name: string, mode: ForwardMode): tf.Tensor4D {
    return batchNorm(this.store, x, name, this.settings.batchNormEpsilon, mode.training, mode.collect);
  }

  /** What happens to the batch's latents between encoder and decoder: nothing here; the SVAE mixes them across slices. */
  protected mixLatents(z: tf.Tensor2D): tf.Tensor2D {
    return z;
  }

  private conv(x: tf.Tensor4D, name: string, stride: number): tf.Tensor4D {
    return tf.add(tf.conv2d(x, this.p(`${name}.weight`) as tf.Tensor4D, stride, 'same'), this.p(`${name}.bias`));
  }

  /** Inverted dropout on z from the batch's uniforms (kept where u >= rate). */
  private dropout(z: tf.Tensor2D, mode: ForwardMode): tf.Tensor2D {
    const rate = this.settings.dropout;
    if (!mode.training || mode.noise === null || rate <= 0) return z;
    const [n, d] = z.shape;
    const per = baurNoisePerSlice(this.settings);
    const keep = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) keep[i * d + j] = mode.noise[i * per + j] >= rate ? 1 / (1 - rate) : 0;
    return tf.mul(z, tf.tensor2d(keep, [n, d]));
  }

  /** x_hat on [0, 1] data, and for the VAE the batch's mean KL divergence (else 0). */
  forward(x: tf.Tensor4D, mode: ForwardMode): { output: tf.Tensor4D; kl: tf.Scalar } {
    const s = this.settings;
    const n = x.shape[0];
    let h = x;
    s.filters.forEach((_, i) => {
      h = tf.leakyRelu(this.batchNorm(this.conv(h, `encoder.${i}.conv`, 2), `encoder.${i}.bn`, mode), s.leakySlope);
    });
    let kl: tf.Scalar = tf.scalar(0);
    if (s.variant !== 'spatial') {
      const [, side, , ch] = h.shape;
      const reduced = this.conv(h, 'bottleneck.reduce', 1);
      const flat = tf.reshape(reduced, [n, side * side * s.bottleneckChannels]) as tf.Tensor2D;
      const dense = (t: tf.Tensor2D, name: string): tf.Tensor2D => tf.add(tf.matMul(t, this.p(`${name}.weight`) as tf.Tensor2D), this.p(`${name}.bias`));
      let z = dense(flat, 'bottleneck.z');
      if (s.variant === 'variational') {
        // The layer outputs log sigma (B); KL = 0.5 sum(mu^2 + sigma^2 - log sigma^2 - 1), mean over the batch.
        const logSigma = dense(flat, 'bottleneck.log_sigma');
        const sigmaSquared = tf.exp(tf.mul(logSigma, 2));
        kl = tf.div(tf.mul(tf.sum(tf.sub(tf.sub(tf.add(tf.square(z), sigmaSquared), tf.mul(logSigma, 2)), 1)), 0.5), n);
        if (mode.noise !== null) {
          const eps = new Float32Array(n * s.zDim);
          const per = baurNoisePerSlice(s);
          for (let i = 0; i < n; i++) eps.set(mode.noise.subarray(i * per + s.zDim, (i + 1) * per), i * s.zDim);
          z = tf.add(z, tf.mul(tf.tensor2d(eps, [n, s.zDim]), tf.exp(logSigma)));
        }
      }
      z = this.mixLatents(this.dropout(z, mode));
      const expanded = tf.reshape(dense(z, 'bottleneck.expand_dense'), [n, side, side, s.bottleneckChannels]) as tf.Tensor4D;
      h = this.conv(expanded, 'bottleneck.expand', 1);
      if (h.shape[3] !== ch) throw new Error('BaurNetwork: bottleneck width mismatch');
    }
    h = tf.relu(this.batchNorm(h, 'decoder.bn', mode));
    [...s.filters].reverse().forEach((f, i) => {
      const [, side] = h.shape;
      const w = this.p(`decoder.${i}.deconv.weight`) as tf.Tensor4D;
      const up = tf.add(tf.conv2dTranspose(h, w, [n, 2 * side, 2 * side, f], 2, 'same'), this.p(`decoder.${i}.deconv.bias`)) as tf.Tensor4D;
      h = tf.leakyRelu(this.batchNorm(up, `decoder.${i}.bn`, mode), s.leakySlope);
    });
    return { output: this.conv(h, 'decoder.out', 1), kl };
  }

  batchLoss(batch: Batch, setup: LossSetup, training: boolean): tf.Scalar {
    return tf.tidy(() => {
      const [nx, ny] = setup.dims;
      const x0 = tf.tensor4d(batch.x0, [batch.size, ny, nx, 1]);
      const { output, kl } = this.forward(x0, { training, noise: batch.noise });
      const alpha = setup.loss.kind === 'l1' ? 0 : setup.loss.alpha;
      const reconstruction = tf.mean(fqMapTf(output, x0, alpha));
      return tf.add(reconstruction, tf.mul(kl, this.settings.klWeight / (nx * ny))) as tf.Scalar;
    });
  }

  updateStatistics(batch: Batch, setup: LossSetup): void {
    const collect: BatchStatistics = new Map();
    const [nx, ny] = setup.dims;
    tf.tidy(() => {
      this.forward(tf.tensor4d(batch.x0, [batch.size, ny, nx, 1]), { training: true, noise: batch.noise, collect });
    });
    updateRunningStatistics(this.store, collect, this.settings.batchNormMomentum);
  }

  reconstruct(volume: Float32Array, options: MethodReconstructOptions): Promise<Float32Array> {
    return sliceWise(volume, options.dims, (x) => this.forward(x, { training: false, noise: null }).output, options.onProgress);
  }

}
