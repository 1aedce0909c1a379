// The UPD VAE (Lagogiannis et al., iolag/UPD_study; option B of BASELINES.md 4) as tfjs functions on NHWC slices: the vae method's 'upd' variant.
import * as tf from '@tensorflow/tfjs';
import type { Batch, LossSetup } from '../../microBatch.ts';
import type { Rng } from '../../rng.ts';
import { fqMapTf } from '../../ssim.ts';
import type { ParamSpec } from '../../unetPlan.ts';
import type { MethodNetwork, MethodReconstructOptions } from '../types.ts';
import { sliceWise, StoredWeightsNetwork } from '../weightStore.ts';
import { batchNorm, batchNormSpecs, convSpecs, deconvSpecs, updateRunningStatistics, type BatchStatistics } from './layers.ts';

/** The settings of a UPD VAE, saved in checkpoints (TrainingConfig.baseline of method vae with the 'upd' variant). */
export interface UpdVaeSettings {
  kind: 'upd-vae';
  /** Encoder filters per stride-2 level, width * 2^i (paper: 16 .. 256, five levels so that 96 -> 3 and back to 96). */
  filters: number[];
  /** Square kernel of the strided convolutions (UPD 3, padding 1; tfjs 'same'). */
  kernel: number;
  /** Channels of the 1x1 convolutions around the linear bottleneck (UPD conv1x1 16). */
  bottleneckChannels: number;
  /** Latent size (UPD 512). */
  zDim: number;
  /** LeakyReLU slope (PyTorch's default 0.01). */
  leakySlope: number;
  /** Weight of the KL term, a mean over batch and latent, against the per-pixel mean reconstruction term (UPD 0.001). */
  klWeight: number;
  /** BatchNorm running-average momentum as TF counts it and epsilon (PyTorch's momentum 0.1 and eps 1e-5). */
  batchNormMomentum: number;
  batchNormEpsilon: number;
}

/** UPD's two bottleneck Linears have no bias. */
const linear = (name: string, inCh: number, outCh: number): ParamSpec => ({ name: `${name}.weight`, shape: [inCh, outCh], init: { kind: 'uniform', fanIn: inCh } });

/** Features entering the linear bottleneck for a slice side. */
function flatFeatures(settings: UpdVaeSettings, side: number): number {
  return (side / 2 ** settings.filters.length) ** 2 * settings.bottleneckChannels;
}

/** The weights in order (UPD's module order): trainable ones first, BatchNorm running statistics last. */
export function updVaeParamSpecs(settings: UpdVaeSettings, side: number): ParamSpec[] {
  const { filters, kernel: k, bottleneckChannels: b, zDim } = settings;
  const flat = flatFeatures(settings, side);
  const last = filters[filters.length - 1];
  const specs: ParamSpec[] = [];
  let ch = 1;
  filters.forEach((f, i) => {
    specs.push(...convSpecs(`encoder.${i}.conv`, k, ch, f), ...batchNormSpecs(`encoder.${i}.bn`, f));
    ch = f;
  });
  specs.push(...convSpecs('encoder.reduce.conv', 1, ch, b), ...batchNormSpecs('encoder.reduce.bn', b));
  specs.push(linear('bottleneck', flat, 2 * zDim), linear('decoder_input', zDim, flat));
  specs.push(...convSpecs('decoder.expand.conv', 1, b, last), ...batchNormSpecs('decoder.expand.bn', last));
  // Transposed convs back up the levels, then one more that keeps the first level's width (UPD, after Baur).
  const ups = [...filters.slice(0, -1).reverse(), filters[0]];
  ch = last;
  ups.forEach((f, i) => {
    specs.push(...deconvSpecs(`decoder.${i}.deconv`, k, ch, f), ...batchNormSpecs(`decoder.${i}.bn`, f));
    ch = f;
  });
  specs.push(...convSpecs('decoder.out', 1, ch, 1));
  return [...specs.filter((s) => s.trainable !== false), ...specs.filter((s) => s.trainable === false)];
}

/** Training randomness of a batch: zDim standard normals per slice (the reparameterisation's draws). */
export function updVaeTrainingNoise(settings: UpdVaeSettings, rng: Rng, slices: number): Float32Array {
  return rng.fillNormal(new Float32Array(slices * settings.zDim));
}

export class UpdVaeNetwork extends StoredWeightsNetwork implements MethodNetwork {
  constructor(readonly settings: UpdVaeSettings, side: number, weights: ReadonlyMap<string, Float32Array>) {
    super(updVaeParamSpecs(settings, side), weights);
  }

  private block(x: tf.Tensor4D, name: string, training: boolean, collect: BatchStatistics | undefined): tf.Tensor4D {
    return tf.leakyRelu(batchNorm(this.store, x, `${name}.bn`, this.settings.batchNormEpsilon, training, collect), this.settings.leakySlope);
  }

  private conv(x: tf.Tensor4D, name: string, stride: number): tf.Tensor4D {
    return tf.add(tf.conv2d(x, this.store.get(`${name}.weight`) as tf.Tensor4D, stride, 'same'), this.store.get(`${name}.bias`));
  }

  /**
   * x_hat on [0, 1] data and UPD's KL term, mean over batch and latent. `noise` (training) draws z = mu + eps * sigma;
   * without it z = mu, a deterministic map (UPD samples z at test time too).
   */
  forward(x: tf.Tensor4D, training: boolean, noise: Float32Array | null, collect?: BatchStatistics): { output: tf.Tensor4D; kl: tf.Scalar } {
    const s = this.settings;
    const n = x.shape[0];
    let h = x;
    s.filters.forEach((_, i) => {
      h = this.block(this.conv(h, `encoder.${i}.conv`, 2), `encoder.${i}`, training, collect);
    });
    h = this.block(this.conv(h, 'encoder.reduce.conv', 1), 'encoder.reduce', training, collect);
    const [, side] = h.shape;
    const stats = tf.matMul(tf.reshape(h, [n, side * side * s.bottleneckChannels]), this.store.get('bottleneck.weight') as tf.Tensor2D);
    const [mu, logVar] = tf.split(stats, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const kl = tf.mean(tf.mul(tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1)), 0.5)) as tf.Scalar;
    const z = noise === null ? mu : tf.add(mu, tf.mul(tf.tensor2d(noise, [n, s.zDim]), tf.exp(tf.mul(logVar, 0.5))));
    h = tf.reshape(tf.matMul(z, this.store.get('decoder_input.weight') as tf.Tensor2D), [n, side, side, s.bottleneckChannels]);
    h = this.block(this.conv(h, 'decoder.expand.conv', 1), 'decoder.expand', training, collect);
    for (let i = 0; i < s.filters.length; i++) {
      const w = this.store.get(`decoder.${i}.deconv.weight`) as tf.Tensor4D;
      const [, hSide] = h.shape;
      const up = tf.add(tf.conv2dTranspose(h, w, [n, 2 * hSide, 2 * hSide, w.shape[2]], 2, 'same'), this.store.get(`decoder.${i}.deconv.bias`)) as tf.Tensor4D;
      h = this.block(up, `decoder.${i}`, training, collect);
    }
    return { output: this.conv(h, 'decoder.out', 1), kl };
  }

  batchLoss(batch: Batch, setup: LossSetup, training: boolean): tf.Scalar {
    return tf.tidy(() => {
      const [nx, ny] = setup.dims;
      const x0 = tf.tensor4d(batch.x0, [batch.size, ny, nx, 1]);
      const { output, kl } = this.forward(x0, training, batch.noise);
      const alpha = setup.loss.kind === 'l1' ? 0 : setup.loss.alpha;
      return tf.add(tf.mean(fqMapTf(output, x0, alpha)), tf.mul(kl, this.settings.klWeight)) as tf.Scalar;
    });
  }

  updateStatistics(batch: Batch, setup: LossSetup): void {
    const collect: BatchStatistics = new Map();
    const [nx, ny] = setup.dims;
    tf.tidy(() => {
      this.forward(tf.tensor4d(batch.x0, [batch.size, ny, nx, 1]), true, batch.noise, collect);
    });
    updateRunningStatistics(this.store, collect, this.settings.batchNormMomentum);
  }

  reconstruct(volume: Float32Array, options: MethodReconstructOptions): Promise<Float32Array> {
    return sliceWise(volume, options.dims, (x) => this.forward(x, false, null).output, options.onProgress);
  }
}
