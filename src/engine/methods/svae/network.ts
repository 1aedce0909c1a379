// The SVAE surrogate's network (BASELINES.md 5): Baur's dense VAE per slice, its latents linked across the volume's slices by a transformer encoder.
import * as tf from '@tensorflow/tfjs';
import type { ParamSpec } from '../../unetPlan.ts';
import { denseSpecs } from '../autoencoder/layers.ts';
import { baurParamSpecs, BaurNetwork, type BaurSettings } from '../autoencoder/network.ts';
import type { MethodNetwork, MethodReconstructOptions } from '../types.ts';

/** The settings of an SVAE, saved in checkpoints (TrainingConfig.baseline). */
export interface SvaeSettings {
  kind: 'svae';
  /** The per-slice encoder and decoder: Baur's dense VAE (BASELINES.md 4, option A); its zDim is the transformer's width. */
  slice: BaurSettings;
  /** Transformer encoder layers over the slice axis (PyTorch nn.TransformerEncoderLayer: post-norm, ReLU, no dropout). */
  layers: number;
  /** Attention heads (they split zDim). */
  heads: number;
  /** Width of each layer's feed-forward block. */
  feedForward: number;
  /** LayerNorm epsilon (PyTorch's 1e-5). */
  layerNormEpsilon: number;
}

const layerNorm = (name: string, ch: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [ch], init: { kind: 'ones' } },
  { name: `${name}.bias`, shape: [ch], init: { kind: 'zeros' } },
];

/** The transformer's weights in PyTorch's state_dict names (tfjs layout [in, out]) after a learnt slice-position embedding. */
function transformerSpecs(settings: SvaeSettings, depth: number): ParamSpec[] {
  const d = settings.slice.zDim;
  const specs: ParamSpec[] = [{ name: 'transformer.slice_position', shape: [depth, d], init: { kind: 'uniform', fanIn: d } }];
  for (let i = 0; i < settings.layers; i++) {
    const at = `transformer.layers.${i}`;
    specs.push(
      // PyTorch's in_proj: Xavier-uniform weights (bound sqrt(6 / (d + 3d)), i.e. a fan-in of 4d / 6), zero biases.
      { name: `${at}.self_attn.in_proj_weight`, shape: [d, 3 * d], init: { kind: 'uniform', fanIn: (4 * d) / 6 } },
      { name: `${at}.self_attn.in_proj_bias`, shape: [3 * d], init: { kind: 'zeros' } },
      { name: `${at}.self_attn.out_proj.weight`, shape: [d, d], init: { kind: 'uniform', fanIn: d } },
      { name: `${at}.self_attn.out_proj.bias`, shape: [d], init: { kind: 'zeros' } },
      ...denseSpecs(`${at}.linear1`, d, settings.feedForward),
      ...denseSpecs(`${at}.linear2`, settings.feedForward, d),
      ...layerNorm(`${at}.norm1`, d),
      ...layerNorm(`${at}.norm2`, d),
    );
  }
  return specs;
}

/** The weights in order: the VAE's trainable ones, the transformer's, then the VAE's BatchNorm running statistics. */
export function svaeParamSpecs(settings: SvaeSettings, side: number, depth: number): ParamSpec[] {
  const vae = baurParamSpecs(settings.slice, side);
  return [...vae.filter((s) => s.trainable !== false), ...transformerSpecs(settings, depth), ...vae.filter((s) => s.trainable === false)];
}

/**
 * Encodes every slice, samples z per slice (training), adds the slice-position embedding and lets the transformer mix the
 * latents along each volume's slices before decoding. A batch is whole volumes: `depth` consecutive slices each, axial
 * order. The loss is the VAE's, averaged over slices (BASELINES sums over slices: a constant factor Adam does not see).
 */
export class SvaeNetwork extends BaurNetwork implements MethodNetwork {
  constructor(readonly svae: SvaeSettings, side: number, private readonly depth: number, weights: ReadonlyMap<string, Float32Array>) {
    super(svae.slice, side, weights, svaeParamSpecs(svae, side, depth));
  }

  private dense(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.p(`${name}.weight`) as tf.Tensor2D), this.p(`${name}.bias`));
  }

  private layerNorm(x: tf.Tensor2D, name: string): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, 1, true);
    const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.svae.layerNormEpsilon)));
    return tf.add(tf.mul(normalised, this.p(`${name}.weight`)), this.p(`${name}.bias`));
  }

  /** Multi-head self-attention over each volume's slices; x is [volumes * depth, d]. */
  private selfAttention(x: tf.Tensor2D, at: string, volumes: number): tf.Tensor2D {
    const d = this.svae.slice.zDim;
    const heads = this.svae.heads;
    const headWidth = d / heads;
    const qkv = tf.add(tf.matMul(x, this.p(`${at}.in_proj_weight`) as tf.Tensor2D), this.p(`${at}.in_proj_bias`));
    // [volumes * depth, d] -> [volumes * heads, depth, headWidth]
    const split = (t: tf.Tensor): tf.Tensor3D =>
      tf.reshape(tf.transpose(tf.reshape(t, [volumes, this.depth, heads, headWidth]), [0, 2, 1, 3]), [volumes * heads, this.depth, headWidth]);
    const [q, k, v] = tf.split(qkv, 3, 1).map(split);
    const weights = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(headWidth)));
    const mixed = tf.reshape(tf.transpose(tf.reshape(tf.matMul(weights, v), [volumes, heads, this.depth, headWidth]), [0, 2, 1, 3]), [volumes * this.depth, d]);
    return this.dense(mixed as tf.Tensor2D, `${at}.out_proj`);
  }

  protected override mixLatents(z: tf.Tensor2D): tf.Tensor2D {
    const [n, d] = z.shape;
    if (n % this.depth !== 0) throw new RangeError(`SVAE: a batch of ${n} slices is not whole volumes of ${this.depth} slices`);
    const volumes = n / this.depth;
    let x = tf.reshape(tf.add(tf.reshape(z, [volumes, this.depth, d]), this.p('transformer.slice_position')), [n, d]) as tf.Tensor2D;
    for (let i = 0; i < this.svae.layers; i++) {
      const at = `transformer.layers.${i}`;
      x = this.layerNorm(tf.add(x, this.selfAttention(x, `${at}.self_attn`, volumes)), `${at}.norm1`);
      const feedForward = this.dense(tf.relu(this.dense(x, `${at}.linear1`)), `${at}.linear2`);
      x = this.layerNorm(tf.add(x, feedForward), `${at}.norm2`);
    }
    return x;
  }

  /** The whole volume in one pass (the transformer needs every slice), z = mu. */
  override async reconstruct(volume: Float32Array, options: MethodReconstructOptions): Promise<Float32Array> {
    const [nx, ny, nz] = options.dims;
    if (nz !== this.depth || volume.length !== nx * ny * nz) throw new RangeError(`SVAE reconstruct: expected ${nx} x ${ny} x ${this.depth} voxels, got ${volume.length} on ${nz} slices`);
    const result = tf.tidy(() => this.forward(tf.tensor4d(volume, [nz, ny, nx, 1]), { training: false, noise: null }).output);
    const out = Float32Array.from((await result.data()) as Float32Array);
    result.dispose();
    options.onProgress?.(nz, nz);
    return out;
  }
}
