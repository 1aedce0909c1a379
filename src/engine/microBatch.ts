// One training micro-batch as plain arrays and its weighted loss and gradients: the unit of work the Trainer and its helper engines share.
import * as tf from '@tensorflow/tfjs';
import { FqlabError } from '../core/errors.ts';
import { noisedInput, toModelRange } from './diffusion.ts';
import { patchedLoss, type LossOptions } from './loss.ts';
import { cosineSchedule, type NoiseSchedule } from './schedule.ts';
import type { TrainingConfig } from './trainingConfig.ts';
import type { MethodNetwork } from './methods/types.ts';
import type { UNet } from './unet.ts';

/**
 * A batch as plain arrays: x0 on [0, 1], box masks, steps t (each size x ny x nx, t one per slice) and the method's
 * training noise, the same number of values for every slice (diffusion: one ny x nx field each; see trainingNoise).
 */
export interface Batch {
  size: number;
  x0: Float32Array;
  /** The clean image the model input is noised from when it is not x0 (mDDPM's masked slice); x0 stays the target. */
  input?: Float32Array;
  masks: Float32Array;
  t: Int32Array;
  noise: Float32Array;
}

/** What turns a batch into a loss: slice dims, noise schedule and loss settings (all from the TrainingConfig). */
export interface LossSetup {
  dims: readonly number[];
  schedule: NoiseSchedule;
  loss: LossOptions;
}

export function lossSetup(config: TrainingConfig): LossSetup {
  return {
    dims: config.dims,
    schedule: cosineSchedule(config.diffusionSteps, config.cosineOffset),
    loss: { kind: config.loss, alpha: config.alpha, range: config.lossRange },
  };
}

/** Slices [start, start + size) of a batch (views, no copies). */
export function sliceBatch(batch: Batch, start: number, size: number, dims: readonly number[]): Batch {
  if (start === 0 && size === batch.size) return batch;
  const pixels = dims[0] * dims[1];
  const range = <T extends Float32Array | Int32Array>(a: T, per: number): T => a.subarray(start * per, (start + size) * per) as T;
  const part: Batch = { size, x0: range(batch.x0, pixels), masks: range(batch.masks, pixels), t: range(batch.t, 1), noise: range(batch.noise, batch.noise.length / batch.size) };
  if (batch.input !== undefined) part.input = range(batch.input, pixels);
  return part;
}

/** The diffusion methods' batch loss (pDDPM boxes, or the whole slice for DDPM) as a scalar tensor (the caller disposes it). */
export function batchLoss(model: UNet, batch: Batch, setup: LossSetup): tf.Scalar {
  return tf.tidy(() => {
    const shape: [number, number, number, number] = [batch.size, setup.dims[1], setup.dims[0], 1];
    const x0 = toModelRange(tf.tensor4d(batch.x0, shape)) as tf.Tensor4D;
    const mask = tf.tensor4d(batch.masks, shape);
    const clean = batch.input === undefined ? x0 : (toModelRange(tf.tensor4d(batch.input, shape)) as tf.Tensor4D);
    const input = noisedInput(clean, tf.tensor4d(batch.noise, shape), batch.t, mask, setup.schedule);
    return patchedLoss(model.apply(input, batch.t), x0, mask, setup.loss, clean);
  });
}

/** A micro-batch's loss and gradients, each already multiplied by the micro-batch's share of the batch. */
export interface WeightedGradients {
  loss: tf.Scalar;
  /** In `variables` order. */
  gradients: tf.Tensor[];
}

/**
 * Loss and gradients of one micro-batch times `weight` (its slices / the batch's; 1 leaves them
 * untouched). Every engine that computes a micro-batch runs exactly this, so the Trainer's sum is
 * the same to the bit whichever engine did which micro-batch. The caller disposes the result.
 */
export function weightedGradients(model: MethodNetwork, variables: tf.Variable[], part: Batch, weight: number, setup: LossSetup): WeightedGradients {
  try {
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => model.batchLoss(part, setup, true), variables);
      return {
        loss: weight === 1 ? value : (tf.mul(value, weight) as tf.Scalar),
        gradients: variables.map((v) => (weight === 1 ? grads[v.name] : tf.mul(grads[v.name], weight))),
      };
    });
  } catch (error) {
    // The WASM heap has a hard ceiling; running past it aborts the module with a bare RuntimeError.
    if (error instanceof WebAssembly.RuntimeError) {
      throw new FqlabError(
        'too-large',
        'training',
        `one pass over ${part.size} slices ran out of the engine's memory (${error.message}); train with a smaller batch or preset (fqlab train: or a smaller --micro-batch)`,
      );
    }
    throw error;
  }
}

/** A micro-batch handed to a helper engine, with its weight. */
export interface MicroBatchJob {
  part: Batch;
  weight: number;
}

/** A helper's answer for one job: the weighted loss and gradients as arrays (variables order). */
export interface MicroBatchResult {
  loss: number;
  gradients: Float32Array[];
}

/**
 * Other engines (threads) that compute micro-batches in parallel with the Trainer's own: each
 * holds a replica of the model, gets the current weights with every request, and answers in job
 * order. Node: nodeEngineWorkers.ts.
 */
export interface GradientHelpers {
  /** Number of helper engines. */
  readonly count: number;
  /** Weighted gradients of `jobs` for the network of `config` with `weights` (spec order), in job order. */
  compute(config: TrainingConfig, weights: Float32Array[], jobs: MicroBatchJob[]): Promise<MicroBatchResult[]>;
  /** Stops the helpers. */
  close(): Promise<void>;
}
