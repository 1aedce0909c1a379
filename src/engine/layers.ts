// The U-Net's building blocks as tfjs functions on NHWC tensors: GroupNorm, SiLU, conv, linear, ResBlock, attention, time embedding.
import * as tf from '@tensorflow/tfjs';
import type { AttentionLayer, ConvLayer, ResBlockLayer } from './unetPlan.ts';
import { fusedGroupNorm, fusedGroupNormAvailable, fusedGroupNormSilu, fusedGroupNormSiluAvailable } from './wasmGroupNorm.ts';

/** Looks a weight up by its plan name (throws on a name the plan does not have). */
export type ParamLookup = (name: string) => tf.Tensor;

/** GroupNorm32's epsilon. */
export const GROUP_NORM_EPS = 1e-5;

/**
 * SiLU x * sigmoid(x) with a hand-written gradient dy * s * (1 + x (1 - s)) that keeps only x for the
 * backward pass (autodiff would keep sigmoid(x) and the product too: most of a step's memory).
 */
const siluWithGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  (args[1] as tf.GradSaveFunc)([x]);
  return {
    value: tf.mul(x, tf.sigmoid(x)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input] = saved;
      const s = tf.sigmoid(input);
      return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(input, tf.sub(1, s)))));
    },
  };
});

export function silu(x: tf.Tensor): tf.Tensor {
  return siluWithGradient(x);
}

/**
 * GroupNorm over (H, W, channels of the group) of NHWC x, then the per-channel affine. Written as
 * x * a + b with per-(sample, channel) a = gamma / sqrt(var + eps) and b = beta - mean * a, and the
 * group statistics from per-channel sums of x and x^2: far fewer full-size passes than the textbook
 * (x - mean) / std chain, in the forward and the backward pass. On the WASM backend one fused
 * kernel does it (wasmGroupNorm.ts).
 */
export function groupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c % groups !== 0) throw new Error(`groupNorm: ${c} channels do not split into ${groups} groups`);
  if (fusedGroupNormAvailable()) return fusedGroupNorm(x, gamma, beta, groups, GROUP_NORM_EPS);
  const perGroup = c / groups;
  const count = h * w * perGroup;
  const groupMean = (t: tf.Tensor): tf.Tensor => tf.div(tf.sum(tf.reshape(tf.sum(t, [1, 2]), [n, groups, perGroup]), 2, true), count);
  const mean = groupMean(x);
  const variance = tf.sub(groupMean(tf.square(x)), tf.square(mean));
  const perChannel = (t: tf.Tensor): tf.Tensor => tf.reshape(tf.tile(t, [1, 1, perGroup]), [n, 1, 1, c]);
  const scale = tf.mul(perChannel(tf.rsqrt(tf.add(variance, GROUP_NORM_EPS))), gamma);
  const shift = tf.sub(beta, tf.mul(perChannel(mean), scale));
  return tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
}

/**
 * SiLU(GroupNorm(x) * (1 + scale) + shift) with scaleShift [n, 2c] = [scale | shift] per sample (guided-diffusion's
 * chunk order), or SiLU(GroupNorm(x)) without it: what every ResBlock and the output head do. One kernel on WASM
 * (wasmGroupNorm.ts), whose gradient keeps only x; elsewhere the op chain.
 */
export function groupNormSilu(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, scaleShift: tf.Tensor2D | null = null): tf.Tensor4D {
  if (fusedGroupNormSiluAvailable()) return fusedGroupNormSilu(x, gamma, beta, groups, GROUP_NORM_EPS, scaleShift);
  const normed = groupNorm(x, gamma, beta, groups);
  if (scaleShift === null) return silu(normed) as tf.Tensor4D;
  const [n, , , c] = x.shape;
  const [scale, shift] = tf.split(tf.reshape(scaleShift, [n, 1, 1, 2 * c]), 2, 3);
  return silu(tf.add(tf.mul(normed, tf.add(scale, 1)), shift)) as tf.Tensor4D;
}

/** 'same' convolution with bias (fused where the backend can). */
export function conv(x: tf.Tensor4D, p: ParamLookup, name: string): tf.Tensor4D {
  return tf.fused.conv2d({ x, filter: p(`${name}.weight`) as tf.Tensor4D, bias: p(`${name}.bias`), strides: 1, pad: 'same' });
}

export function linear(x: tf.Tensor2D, p: ParamLookup, name: string): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: p(`${name}.weight`) as tf.Tensor2D, bias: p(`${name}.bias`) }) as tf.Tensor2D;
}

/**
 * guided-diffusion timestep_embedding: half = dim / 2, freqs = exp(-ln(10000) * i / half),
 * [cos(t * freqs), sin(t * freqs)]. Computed in float64 on the CPU, one row per sample.
 */
export function timestepEmbedding(t: ArrayLike<number>, dim: number): Float32Array {
  const half = Math.floor(dim / 2);
  const out = new Float32Array(t.length * dim);
  for (let b = 0; b < t.length; b++) {
    for (let i = 0; i < half; i++) {
      const arg = t[b] * Math.exp((-Math.log(10000) * i) / half);
      out[b * dim + i] = Math.cos(arg);
      out[b * dim + half + i] = Math.sin(arg);
    }
  }
  return out;
}

export function applyConv(layer: ConvLayer, x: tf.Tensor4D, p: ParamLookup): tf.Tensor4D {
  return conv(x, p, layer.name);
}

/** Each pixel to a 2 x 2 block, as a broadcast multiply (times `scale`). */
function blockBroadcast(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.reshape(tf.mul(tf.reshape(x, [n, h, 1, w, 1, c]), tf.fill([1, 1, 2, 1, 2, 1], scale)), [n, 2 * h, 2 * w, c]);
}

/*
 * The two resamplings' gradients are each other's operation: the 2 x 2 block sums of an upsampling's output gradient
 * (an average pool times 4, exact in binary) and the pooled gradient spread over the blocks times 1/4. On tfjs-wasm
 * the generic gradients (AvgPoolGrad; a Sum over two inner axes) are 7-17x slower than these XNNPACK pool and
 * broadcast kernels.
 */
const upsampleWithBlockSumGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: blockBroadcast(args[0] as tf.Tensor4D, 1),
  gradFunc: (dy: tf.Tensor) => tf.mul(tf.avgPool(dy as tf.Tensor4D, 2, 2, 'valid'), 4),
}));

const poolWithBroadcastGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: tf.avgPool(args[0] as tf.Tensor4D, 2, 2, 'valid'),
  gradFunc: (dy: tf.Tensor) => blockBroadcast(dy as tf.Tensor4D, 0.25),
}));

/**
 * Nearest-neighbour 2x upsampling as a broadcast (each pixel to a 2 x 2 block). Not
 * tf.image.resizeNearestNeighbor: tfjs 4.22's CPU gradient of it is wrong for batches > 1.
 */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  return upsampleWithBlockSumGradient(x) as tf.Tensor4D;
}

/** 2 x 2 average pooling, stride 2 ('valid'); odd sides keep tf.avgPool's own gradient (the broadcast one needs even sides). */
export function averagePool2x(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  return h % 2 === 0 && w % 2 === 0 ? (poolWithBroadcastGradient(x) as tf.Tensor4D) : tf.avgPool(x, 2, 2, 'valid');
}

function resample(x: tf.Tensor4D, mode: ResBlockLayer['resample']): tf.Tensor4D {
  if (mode === 'down') return averagePool2x(x);
  if (mode === 'up') return upsampleNearest2x(x);
  return x;
}

/**
 * ResBlock with scale-shift norm: h = conv(SiLU(GN(x))) (resampling h and x between SiLU and conv
 * when up/down), h = GN(h) * (1 + scale) + shift with [scale, shift] = Linear(SiLU(emb)),
 * h = zero-initialised conv(SiLU(h)), out = skip(x) + h. `embSilu` is SiLU(emb), shared by all blocks.
 * Without scale-shift (DDPM) h = h + Linear(SiLU(emb)) before the second GroupNorm, which has no scale or shift of its own.
 */
export function applyResBlock(layer: ResBlockLayer, x: tf.Tensor4D, embSilu: tf.Tensor2D, p: ParamLookup, groups: number, scaleShift = true): tf.Tensor4D {
  const n = x.shape[0];
  const inRest = groupNormSilu(x, p(`${layer.name}.in_layers.0.weight`), p(`${layer.name}.in_layers.0.bias`), groups);
  const xr = resample(x, layer.resample);
  let h = conv(resample(inRest, layer.resample), p, `${layer.name}.in_layers.2`);
  const embOut = linear(embSilu, p, `${layer.name}.emb_layers.1`);
  if (scaleShift) {
    const activated = groupNormSilu(h, p(`${layer.name}.out_layers.0.weight`), p(`${layer.name}.out_layers.0.bias`), groups, embOut);
    h = conv(activated, p, `${layer.name}.out_layers.3`);
  } else {
    const conditioned = tf.add(h, tf.reshape(embOut, [n, 1, 1, layer.outCh])) as tf.Tensor4D;
    const activated = groupNormSilu(conditioned, p(`${layer.name}.out_layers.0.weight`), p(`${layer.name}.out_layers.0.bias`), groups);
    h = conv(activated, p, `${layer.name}.out_layers.3`);
  }
  const skip = layer.inCh === layer.outCh ? xr : conv(xr, p, `${layer.name}.skip_connection`);
  return tf.add(skip, h);
}

/**
 * AttentionBlock with QKVAttentionLegacy: qkv channels are grouped per head as [q | k | v],
 * q and k are each scaled by ch^-1/4, softmax over keys, then a zero-initialised projection
 * and the residual.
 */
export function applyAttention(layer: AttentionLayer, x: tf.Tensor4D, p: ParamLookup, groups: number, heads: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const length = h * w;
  if (c % heads !== 0) throw new Error(`attention: ${c} channels do not split into ${heads} heads`);
  const ch = c / heads;
  const normed = groupNorm(x, p(`${layer.name}.norm.weight`), p(`${layer.name}.norm.bias`), groups);
  const qkv = linear(tf.reshape(normed, [n * length, c]), p, `${layer.name}.qkv`);
  // [n, L, heads * 3, ch] -> [n * heads, 3, L, ch]: a rank-4 transpose (tfjs-wasm's rank-5 one is ~100x slower).
  const split = tf.reshape(tf.transpose(tf.reshape(qkv, [n, length, heads * 3, ch]), [0, 2, 1, 3]), [n * heads, 3, length, ch]);
  const [q, k, v] = tf.unstack(split, 1) as tf.Tensor3D[];
  const scale = 1 / Math.sqrt(Math.sqrt(ch));
  const weights = tf.softmax(tf.matMul(tf.mul(q, scale), tf.mul(k, scale), false, true));
  const attended = tf.matMul(weights, v); // [n * heads, L, ch]
  const merged = tf.reshape(tf.transpose(tf.reshape(attended, [n, heads, length, ch]), [0, 2, 1, 3]), [n * length, c]);
  const projected = linear(merged as tf.Tensor2D, p, `${layer.name}.proj_out`);
  return tf.add(x, tf.reshape(projected, [n, h, w, c]));
}
