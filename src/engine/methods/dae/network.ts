// Kascenas et al.'s denoising autoencoder (BASELINES.md 6): a U-Net of weight-standardised convs, Swish and GroupNorm, trained on coarse noise.
import * as tf from '@tensorflow/tfjs';
import { groupNorm, silu } from '../../layers.ts';
import type { Batch, LossSetup } from '../../microBatch.ts';
import type { Rng } from '../../rng.ts';
import { fqMapTf } from '../../ssim.ts';
import type { ParamSpec } from '../../unetPlan.ts';
import type { MethodNetwork, MethodReconstructOptions } from '../types.ts';
import { sliceWise, StoredWeightsNetwork } from '../weightStore.ts';

/** The DAE's settings, saved in checkpoints (TrainingConfig.baseline). */
export interface DaeSettings {
  kind: 'dae';
  /** Widths per U-Net level (paper: depth 4, 2^(6 + i) = 64, 128, 256, 512). */
  widths: number[];
  /** Standard deviation of the coarse noise (0.2). */
  noiseStd: number;
  /** Side of the coarse noise grid before bilinear upsampling (16). */
  noiseResolution: number;
  /** Foreground threshold: the noise is added where x > this (0.01). */
  foregroundThreshold: number;
}

/** Weight standardisation's epsilon (K:src/ws_conv.py). */
const WS_EPS = 1e-5;

/** K's get_groups: the middle divisor of the channel count (64 -> 8, 128 -> 16, 256 -> 16, 512 -> 32). */
export function daeGroups(channels: number): number {
  const divisors: number[] = [];
  for (let d = 1; d <= channels; d++) if (channels % d === 0) divisors.push(d);
  return divisors[Math.floor(divisors.length / 2)];
}

const convSpecs = (name: string, k: number, inCh: number, outCh: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [k, k, inCh, outCh], init: { kind: 'uniform', fanIn: k * k * inCh } },
  { name: `${name}.bias`, shape: [outCh], init: { kind: 'uniform', fanIn: k * k * inCh } },
];
const normSpecs = (name: string, ch: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [ch], init: { kind: 'ones' } },
  { name: `${name}.bias`, shape: [ch], init: { kind: 'zeros' } },
];
const blockSpecs = (name: string, inCh: number, outCh: number): ParamSpec[] => [
  ...convSpecs(`${name}.conv1`, 3, inCh, outCh),
  ...normSpecs(`${name}.norm1`, outCh),
  ...convSpecs(`${name}.conv2`, 3, outCh, outCh),
  ...normSpecs(`${name}.norm2`, outCh),
];

export function daeParamSpecs(settings: DaeSettings): ParamSpec[] {
  const w = settings.widths;
  const specs: ParamSpec[] = [];
  w.forEach((c, i) => specs.push(...blockSpecs(`down.${i}`, i === 0 ? 1 : w[i - 1], c)));
  for (let i = w.length - 1; i > 0; i--) {
    const up = `up.${w.length - 1 - i}`;
    // ConvTranspose2d k2 s2 (C -> C/2 in the reference; tfjs layout [k, k, out, in], PyTorch fan-in from out * k * k).
    specs.push({ name: `${up}.up.weight`, shape: [2, 2, w[i - 1], w[i]], init: { kind: 'uniform', fanIn: 4 * w[i - 1] } });
    specs.push({ name: `${up}.up.bias`, shape: [w[i - 1]], init: { kind: 'uniform', fanIn: 4 * w[i - 1] } });
    specs.push(...blockSpecs(`${up}.block`, 2 * w[i - 1], w[i - 1]));
  }
  specs.push(...convSpecs('last', 1, w[0], 1));
  return specs;
}

/** Bilinear upsampling with align_corners = true (F.upsample_bilinear) of a side x side grid to rows x cols. */
function upsampleAlignCorners(grid: Float32Array, side: number, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const y = rows === 1 ? 0 : (r * (side - 1)) / (rows - 1);
    const y0 = Math.min(side - 2, Math.floor(y));
    const fy = y - y0;
    for (let c = 0; c < cols; c++) {
      const x = cols === 1 ? 0 : (c * (side - 1)) / (cols - 1);
      const x0 = Math.min(side - 2, Math.floor(x));
      const fx = x - x0;
      const a = grid[y0 * side + x0] * (1 - fx) + grid[y0 * side + x0 + 1] * fx;
      const b = grid[(y0 + 1) * side + x0] * (1 - fx) + grid[(y0 + 1) * side + x0 + 1] * fx;
      out[r * cols + c] = a * (1 - fy) + b * fy;
    }
  }
}

/**
 * K's coarse noise for a batch (K:src/denoising.py:25-36): per slice N(0, std^2) on a res x res grid, bilinearly
 * upsampled (align corners) to rows x cols, then one random roll (with wrap-around) for the whole batch. The
 * foreground mask is applied in the loss, where x is.
 */
export function coarseNoise(settings: DaeSettings, rng: Rng, slices: number, rows: number, cols: number): Float32Array {
  const res = settings.noiseResolution;
  const grid = new Float32Array(res * res);
  const smooth = new Float32Array(rows * cols);
  const out = new Float32Array(slices * rows * cols);
  const fields: Float32Array[] = [];
  for (let i = 0; i < slices; i++) {
    rng.fillNormal(grid);
    for (let k = 0; k < grid.length; k++) grid[k] *= settings.noiseStd;
    upsampleAlignCorners(grid, res, rows, cols, smooth);
    fields.push(Float32Array.from(smooth));
  }
  const dy = rng.int(rows);
  const dx = rng.int(cols);
  fields.forEach((field, i) => {
    const at = i * rows * cols;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[at + ((r + dy) % rows) * cols + ((c + dx) % cols)] = field[r * cols + c];
    }
  });
  return out;
}

export class DaeNetwork extends StoredWeightsNetwork implements MethodNetwork {
  constructor(readonly settings: DaeSettings, weights: ReadonlyMap<string, Float32Array>) {
    super(daeParamSpecs(settings), weights);
  }

  /** ReflectionPad 1, then a 3x3 conv whose filters are standardised per output channel (mean 0, unbiased std + eps). */
  private wsConv(x: tf.Tensor4D, name: string): tf.Tensor4D {
    const w = this.store.get(`${name}.weight`) as tf.Tensor4D;
    const fan = w.shape[0] * w.shape[1] * w.shape[2];
    const { mean, variance } = tf.moments(w, [0, 1, 2], true);
    const std = tf.sqrt(tf.mul(variance, fan / Math.max(1, fan - 1)));
    const standardised = tf.div(tf.sub(w, mean), tf.add(std, WS_EPS)) as tf.Tensor4D;
    const padded = tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect');
    return tf.add(tf.conv2d(padded, standardised, 1, 'valid'), this.store.get(`${name}.bias`));
  }

  /** [ReflectionPad -> WSConv 3x3 -> Swish -> GroupNorm] x 2. */
  private block(x: tf.Tensor4D, name: string): tf.Tensor4D {
    let h = x;
    for (const j of [1, 2]) {
      const activated = silu(this.wsConv(h, `${name}.conv${j}`)) as tf.Tensor4D;
      const ch = activated.shape[3];
      h = groupNorm(activated, this.store.get(`${name}.norm${j}.weight`), this.store.get(`${name}.norm${j}.bias`), daeGroups(ch));
    }
    return h;
  }

  /** f(x) on [0, 1] data. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    const w = this.settings.widths;
    const skips: tf.Tensor4D[] = [];
    let h = x;
    w.forEach((_, i) => {
      h = this.block(h, `down.${i}`);
      if (i < w.length - 1) {
        skips.push(h);
        h = tf.avgPool(h, 2, 2, 'valid');
      }
    });
    for (let i = w.length - 1; i > 0; i--) {
      const up = `up.${w.length - 1 - i}`;
      const skip = skips.pop() as tf.Tensor4D;
      const [n, side] = h.shape;
      const upsampled = tf.add(tf.conv2dTranspose(h, this.store.get(`${up}.up.weight`) as tf.Tensor4D, [n, 2 * side, 2 * side, w[i - 1]], 2, 'valid'), this.store.get(`${up}.up.bias`)) as tf.Tensor4D;
      h = this.block(tf.concat([upsampled, skip], 3), `${up}.block`);
    }
    return tf.add(tf.conv2d(h, this.store.get('last.weight') as tf.Tensor4D, 1, 'valid'), this.store.get('last.bias'));
  }

  /** Training: f(x + coarse noise on the foreground) against x; validation likewise with its fixed noise. Mean FQ (l1) map. */
  batchLoss(batch: Batch, setup: LossSetup): tf.Scalar {
    return tf.tidy(() => {
      const [nx, ny] = setup.dims;
      const shape: [number, number, number, number] = [batch.size, ny, nx, 1];
      const x0 = tf.tensor4d(batch.x0, shape);
      const foreground = tf.cast(tf.greater(x0, this.settings.foregroundThreshold), 'float32');
      const noisy = tf.add(x0, tf.mul(tf.tensor4d(batch.noise, shape), foreground)) as tf.Tensor4D;
      const alpha = setup.loss.kind === 'l1' ? 0 : setup.loss.alpha;
      return tf.mean(fqMapTf(this.forward(noisy), x0, alpha)) as tf.Scalar;
    });
  }

  reconstruct(volume: Float32Array, options: MethodReconstructOptions): Promise<Float32Array> {
    return sliceWise(volume, options.dims, (x) => this.forward(x), options.onProgress);
  }

}
