// f-AnoGAN's three networks (BASELINES.md 7, surrogate): ResNet WGAN-GP generator and critic, and the izi_f encoder, on NHWC slices.
import * as tf from '@tensorflow/tfjs';
import type { AdamSettings } from '../../adam.ts';
import type { Rng } from '../../rng.ts';
import type { ParamSpec } from '../../unetPlan.ts';

/** The settings of an f-AnoGAN, saved in checkpoints (TrainingConfig.baseline); the GAN's Adam is TrainingConfig.adam. */
export interface FanoganSettings {
  kind: 'fanogan';
  /** Base width d: the generator runs 8d -> d channels, the critic and encoder d -> 8d (paper 64). */
  dim: number;
  /** Latent size (paper 128). */
  zDim: number;
  /** Steps of stage 1 (WGAN-GP); every later step trains the encoder with G and D frozen (stage 2). */
  ganSteps: number;
  /** The critic updates every step, the generator every this many (UPD: 1). */
  criticIterations: number;
  /** Weight of the gradient penalty (10). */
  gradientPenaltyWeight: number;
  /** kappa: weight of the critic-feature term of the izi_f loss (1). */
  featureWeight: number;
  /** The encoder's RMSprop (PyTorch's: lr 5e-5, alpha 0.99, eps 1e-8, no momentum). */
  encoderOptimizer: RmspropSettings;
  /** The critic's LayerNorm over [H, W, C] (PyTorch 1e-5). */
  layerNormEpsilon: number;
  /** BatchNorm of the generator and encoder: PyTorch's momentum 0.1 (weight of the new batch) and eps 1e-5. */
  batchNormMomentum: number;
  batchNormEpsilon: number;
}

export interface RmspropSettings {
  learningRate: number;
  alpha: number;
  epsilon: number;
}

/** UPD's Adam for G and D: lr 2e-4, betas (0, 0.9). */
export const FANOGAN_ADAM: Readonly<AdamSettings> = { learningRate: 2e-4, beta1: 0, beta2: 0.9, epsilon: 1e-8 };

/** Residual blocks of each network: the generator doubles the side five times from side / 32 (96: 3 -> 96). */
export const FANOGAN_LEVELS = 5;
/** Channel multiples of d through the generator's blocks (8d -> d), and through the critic's and encoder's (d -> 8d). */
const GENERATOR_WIDTHS = [8, 8, 4, 4, 2, 1];
const CRITIC_WIDTHS = [1, 2, 4, 4, 8, 8];

export type FanoganNetworkName = 'generator' | 'critic' | 'encoder';
export const FANOGAN_NETWORKS: readonly FanoganNetworkName[] = ['generator', 'critic', 'encoder'];

// UPD initialises convolutions with kaiming_normal_ (std sqrt(2 / fan_in)) and linear layers with xavier_uniform_
// (bound sqrt(6 / (fan_in + fan_out))), biases 0: here a uniform of the same variance (bound 1 / sqrt(fanIn / 6)).
const kaiming = (fanIn: number) => ({ kind: 'uniform' as const, fanIn: fanIn / 6 });
const zeros = { kind: 'zeros' as const };

const conv = (name: string, k: number, inCh: number, outCh: number, bias = true): ParamSpec[] => [
  { name: `${name}.weight`, shape: [k, k, inCh, outCh], init: kaiming(k * k * inCh) },
  ...(bias ? [{ name: `${name}.bias`, shape: [outCh], init: zeros }] : []),
];
const linear = (name: string, inCh: number, outCh: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [inCh, outCh], init: { kind: 'uniform', fanIn: (inCh + outCh) / 6 } },
  { name: `${name}.bias`, shape: [outCh], init: zeros },
];
const batchNorm = (name: string, ch: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [ch], init: { kind: 'ones' } },
  { name: `${name}.bias`, shape: [ch], init: zeros },
  { name: `${name}.running_mean`, shape: [ch], init: zeros, trainable: false },
  { name: `${name}.running_var`, shape: [ch], init: { kind: 'ones' }, trainable: false },
];
/** PyTorch's LayerNorm([C, H, W]): one weight per element, here in tfjs's [H, W, C] layout. */
const layerNorm = (name: string, side: number, ch: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [side, side, ch], init: { kind: 'ones' } },
  { name: `${name}.bias`, shape: [side, side, ch], init: zeros },
];

/** The generator's weights: Linear z -> (side/32)^2 * 8d, five up-blocks, BN, ReLU, conv 3x3 -> 1. */
function generatorSpecs(s: FanoganSettings, side: number): ParamSpec[] {
  const start = side / 2 ** FANOGAN_LEVELS;
  const specs = linear('generator.input', s.zDim, start * start * GENERATOR_WIDTHS[0] * s.dim);
  for (let i = 0; i < FANOGAN_LEVELS; i++) {
    const [inCh, outCh] = [GENERATOR_WIDTHS[i] * s.dim, GENERATOR_WIDTHS[i + 1] * s.dim];
    const b = `generator.block${i}`;
    specs.push(...conv(`${b}.shortcut`, 1, inCh, outCh), ...batchNorm(`${b}.norm1`, inCh), ...conv(`${b}.conv1`, 3, inCh, outCh, false));
    specs.push(...batchNorm(`${b}.norm2`, outCh), ...conv(`${b}.conv2`, 3, outCh, outCh));
  }
  specs.push(...batchNorm('generator.norm', s.dim), ...conv('generator.output', 3, s.dim, 1));
  return specs;
}

/**
 * The critic's (LayerNorm) or encoder's (BatchNorm) weights: conv 3x3 1 -> d, five down-blocks, then Linear to 1 (critic)
 * or z (encoder). UPD's encoder repeats a grey slice to 3 input channels; one input channel is the same function (the
 * three filters summed), and is what BASELINES.md counts.
 */
function downSpecs(s: FanoganSettings, side: number, network: 'critic' | 'encoder'): ParamSpec[] {
  const specs = conv(`${network}.input`, 3, 1, s.dim);
  let hw = side;
  for (let i = 0; i < FANOGAN_LEVELS; i++) {
    const [inCh, outCh] = [CRITIC_WIDTHS[i] * s.dim, CRITIC_WIDTHS[i + 1] * s.dim];
    const b = `${network}.block${i}`;
    const norm = (name: string) => (network === 'critic' ? layerNorm(name, hw, inCh) : batchNorm(name, inCh));
    specs.push(...conv(`${b}.shortcut`, 1, inCh, outCh), ...norm(`${b}.norm1`), ...conv(`${b}.conv1`, 3, inCh, inCh, false));
    specs.push(...norm(`${b}.norm2`), ...conv(`${b}.conv2`, 1, inCh, outCh));
    hw /= 2;
  }
  const features = hw * hw * CRITIC_WIDTHS[FANOGAN_LEVELS] * s.dim;
  specs.push(...linear(`${network}.output`, features, network === 'critic' ? 1 : s.zDim));
  return specs;
}

/** Every weight of one network, trainable ones first (BatchNorm running statistics last). */
export function fanoganNetworkSpecs(settings: FanoganSettings, side: number, network: FanoganNetworkName): ParamSpec[] {
  const specs = network === 'generator' ? generatorSpecs(settings, side) : downSpecs(settings, side, network);
  return [...specs.filter((s) => s.trainable !== false), ...specs.filter((s) => s.trainable === false)];
}

/** All three networks' weights: the trainable ones of G, D, E in that order, then their running statistics. */
export function fanoganParamSpecs(settings: FanoganSettings, side: number): ParamSpec[] {
  const specs = FANOGAN_NETWORKS.flatMap((n) => fanoganNetworkSpecs(settings, side, n));
  return [...specs.filter((s) => s.trainable !== false), ...specs.filter((s) => s.trainable === false)];
}

/** Values of training noise per slice: zDim standard normals (the generator's z), one uniform (the penalty's interpolation). */
export function fanoganNoisePerSlice(settings: FanoganSettings): number {
  return settings.zDim + 1;
}

/** A batch's training randomness, drawn every step in both stages so the run's stream does not depend on the split. */
export function fanoganTrainingNoise(settings: FanoganSettings, rng: Rng, slices: number): Float32Array {
  const per = fanoganNoisePerSlice(settings);
  const out = new Float32Array(slices * per);
  for (let i = 0; i < slices; i++) {
    rng.fillNormal(out.subarray(i * per, i * per + settings.zDim));
    out[i * per + settings.zDim] = rng.next();
  }
  return out;
}

/** BatchNorm statistics of one training forward pass, collected to update the running averages after the step. */
export type BatchStatistics = Map<string, { mean: tf.Tensor; variance: tf.Tensor; count: number }>;

/** How a forward pass normalises: batch statistics (training, optionally collected) or running ones. */
export interface ForwardMode {
  training: boolean;
  collect?: BatchStatistics;
}

/**
 * Average pooling 2x2 as a reshape and a mean. tf.avgPool's gradient (AvgPoolGrad) has no gradient of its own in tfjs,
 * so the gradient penalty, which differentiates the critic's input gradient, could not pass through it; reshape and
 * mean differentiate twice (BASELINES.md 12).
 */
export function averagePool2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.mean(tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]), [2, 4]) as tf.Tensor4D;
}

/** The three networks as functions of named weights (the weight store's variables). */
export class FanoganModel {
  constructor(
    readonly settings: FanoganSettings,
    /** The slice side (a multiple of 2^FANOGAN_LEVELS). */
    private readonly side: number,
    private readonly weight: (name: string) => tf.Tensor,
  ) {}

  private conv(x: tf.Tensor4D, name: string, bias = true): tf.Tensor4D {
    const y = tf.conv2d(x, this.weight(`${name}.weight`) as tf.Tensor4D, 1, 'same');
    return bias ? tf.add(y, this.weight(`${name}.bias`)) : y;
  }

  private linear(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.weight(`${name}.weight`) as tf.Tensor2D), this.weight(`${name}.bias`));
  }

  private batchNorm(x: tf.Tensor4D, name: string, mode: ForwardMode): tf.Tensor4D {
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (mode.training) {
      ({ mean, variance } = tf.moments(x, [0, 1, 2]));
      mode.collect?.set(name, { mean: tf.keep(mean), variance: tf.keep(variance), count: x.shape[0] * x.shape[1] * x.shape[2] });
    } else {
      mean = this.weight(`${name}.running_mean`);
      variance = this.weight(`${name}.running_var`);
    }
    const w = this.weight(`${name}.weight`) as tf.Tensor1D;
    return tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, this.weight(`${name}.bias`) as tf.Tensor1D, w, this.settings.batchNormEpsilon);
  }

  /** LayerNorm over each slice's [H, W, C] with a per-element affine (the critic's; no batch statistics). */
  private layerNorm(x: tf.Tensor4D, name: string): tf.Tensor4D {
    const { mean, variance } = tf.moments(x, [1, 2, 3], true);
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.settings.layerNormEpsilon)));
    return tf.add(tf.mul(normed, this.weight(`${name}.weight`)), this.weight(`${name}.bias`));
  }

  /**
   * G(z) on [0, 1] (sigmoid). UPD's UpSampleConv (channels repeated 4x, pixel shuffle, conv) is meant as the original
   * TensorFlow code's nearest-neighbour 2x upsampling before the conv, which this is (PyTorch's pixel_shuffle order
   * also permutes channels per sub-pixel; a learnt layer absorbs that).
   */
  generate(z: tf.Tensor2D, mode: ForwardMode): tf.Tensor4D {
    const s = this.settings;
    const n = z.shape[0];
    const startCh = GENERATOR_WIDTHS[0] * s.dim;
    const start = this.side / 2 ** FANOGAN_LEVELS;
    let h = tf.reshape(this.linear(z, 'generator.input'), [n, start, start, startCh]) as tf.Tensor4D;
    for (let i = 0; i < FANOGAN_LEVELS; i++) {
      const b = `generator.block${i}`;
      const up = (x: tf.Tensor4D) => tf.image.resizeNearestNeighbor(x, [2 * x.shape[1], 2 * x.shape[2]]);
      const shortcut = this.conv(up(h), `${b}.shortcut`);
      let out = this.conv(up(tf.relu(this.batchNorm(h, `${b}.norm1`, mode))), `${b}.conv1`, false);
      out = this.conv(tf.relu(this.batchNorm(out, `${b}.norm2`, mode)), `${b}.conv2`);
      h = tf.add(shortcut, out);
    }
    return tf.sigmoid(this.conv(tf.relu(this.batchNorm(h, 'generator.norm', mode)), 'generator.output'));
  }

  /** The down path shared by critic and encoder: the flattened (side/32)^2 * 8d features. */
  private downFeatures(x: tf.Tensor4D, network: 'critic' | 'encoder', mode: ForwardMode): tf.Tensor2D {
    const norm = (t: tf.Tensor4D, name: string) => (network === 'critic' ? this.layerNorm(t, name) : this.batchNorm(t, name, mode));
    let h = this.conv(x, `${network}.input`);
    for (let i = 0; i < FANOGAN_LEVELS; i++) {
      const b = `${network}.block${i}`;
      const shortcut = this.conv(averagePool2(h), `${b}.shortcut`);
      let out = this.conv(tf.relu(norm(h, `${b}.norm1`)), `${b}.conv1`, false);
      out = averagePool2(this.conv(tf.relu(norm(out, `${b}.norm2`)), `${b}.conv2`));
      h = tf.add(shortcut, out);
    }
    const [n, side, , ch] = h.shape;
    return tf.reshape(h, [n, side * side * ch]);
  }

  /** The critic's features f(x) (izi_f compares them). */
  features(x: tf.Tensor4D): tf.Tensor2D {
    return this.downFeatures(x, 'critic', { training: false });
  }

  /** The critic's score of each slice, [N]. */
  critic(x: tf.Tensor4D): tf.Tensor1D {
    return tf.reshape(this.linear(this.features(x), 'critic.output'), [x.shape[0]]);
  }

  /** E(x) in (-1, 1) (tanh). */
  encode(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor2D {
    return tf.tanh(this.linear(this.downFeatures(x, 'encoder', mode), 'encoder.output'));
  }
}
