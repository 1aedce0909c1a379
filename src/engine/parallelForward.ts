// Data-parallel U-Net forwards: a batch split into contiguous shares, this engine computing the first and helper engines the others.
import * as tf from '@tensorflow/tfjs';
import type { UNet } from './unet.ts';

/** One helper's slices of a forward: NHWC [size, height, width, 1] inputs and one diffusion step per slice. */
export interface ForwardShare {
  x: Float32Array;
  t: Int32Array;
  size: number;
  height: number;
  width: number;
}

/**
 * Other engines (threads) that run U-Net forwards beside this one. Each keeps a replica of the U-Net per weights
 * version, so the weights travel once per version, not with every forward. Node: nodeEngineWorkers.ts.
 */
export interface ForwardHelpers {
  /** Number of helper engines. */
  readonly count: number;
  /**
   * The x0 predictions of `unet` (its weights named by `version`) for each share, share i on helper i. Every share is
   * posted before this returns, so the caller's own share, computed next, runs while the helpers compute theirs.
   */
  forward(unet: UNet, version: string, shares: ForwardShare[]): Promise<Float32Array[]>;
  /** Stops the helpers. */
  close(): Promise<void>;
}

/** Helpers for a model's forwards, and the version of its weights: the caller changes it whenever the weights change (e.g. a checkpoint's content hash). */
export interface SharedForwards {
  helpers: ForwardHelpers;
  version: string;
}

/** Sizes of `engines` contiguous shares of n slices, as even as possible, the larger first (empty shares dropped). */
export function forwardShareSizes(n: number, engines: number): number[] {
  const base = Math.floor(n / engines);
  const extra = n % engines;
  return Array.from({ length: engines }, (_, i) => base + (i < extra ? 1 : 0)).filter((size) => size > 0);
}

/**
 * unet.apply(x, t) with the batch shared among this engine and the helpers. The U-Net's kernels work per slice, so
 * the result is the same to the bit as one engine's (tests/engine/parallelForward.test.ts). The caller owns it.
 */
export async function dataParallelApply(unet: UNet, shared: SharedForwards, x: tf.Tensor4D, t: ArrayLike<number>): Promise<tf.Tensor4D> {
  const [n, height, width, channels] = x.shape;
  if (t.length !== n) throw new Error(`dataParallelApply: ${t.length} timesteps for a batch of ${n}`);
  if (channels !== 1) throw new Error(`dataParallelApply: the U-Net takes one channel, got ${channels}`);
  const sizes = forwardShareSizes(n, shared.helpers.count + 1);
  if (sizes.length === 1) return unet.apply(x, t);
  const pixels = height * width;
  const values = (await x.data()) as Float32Array;
  const steps = Int32Array.from(t);
  const own = sizes[0];
  const shares: ForwardShare[] = [];
  for (let i = 1, start = own; i < sizes.length; start += sizes[i], i++) {
    shares.push({ x: values.subarray(start * pixels, (start + sizes[i]) * pixels), t: steps.subarray(start, start + sizes[i]), size: sizes[i], height, width });
  }
  const helped = shared.helpers.forward(unet, shared.version, shares);
  let ownValues: Float32Array;
  try {
    const local = tf.tidy(() => unet.apply(tf.slice(x, [0, 0, 0, 0], [own, height, width, 1]), steps.subarray(0, own)));
    ownValues = (await local.data()) as Float32Array;
    local.dispose();
  } catch (error) {
    // The helpers' answers are not needed any more, but must not surface as an unhandled rejection.
    await helped.catch(() => undefined);
    throw error;
  }
  const parts = [ownValues, ...(await helped)];
  const out = new Float32Array(n * pixels);
  for (let i = 0, offset = 0; i < parts.length; offset += parts[i].length, i++) out.set(parts[i], offset);
  return tf.tensor4d(out, [n, height, width, 1]);
}
