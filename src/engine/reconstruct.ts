// pDDPM inference: noise each box of every slice at t = noiseLevel - 1, predict x0 in one pass, stitch the boxes (SPEC 3).
import * as tf from '@tensorflow/tfjs';
import type { Dims3 } from '../core/volume.ts';
import { fromModelRange, noisedInput, toModelRange } from './diffusion.ts';
import { noiseField, type NoiseType } from './noise.ts';
import { dataParallelApply, type SharedForwards } from './parallelForward.ts';
import { boxMask, patchBoxes, type PatchingMode } from './patching.ts';
import { Rng } from './rng.ts';
import { cosineSchedule } from './schedule.ts';
import { SIMPLEX_DEFAULTS, type SimplexParams } from './simplexNoise.ts';
import { CONFORMED_DIMS } from './trainingData.ts';
import type { UNet } from './unet.ts';

export interface ReconstructOptions {
  /** 1 .. T; the image is noised to t = noiseLevel - 1 (paper: 500 pDDPM, 750 pDDPM-IQA). */
  noiseLevel: number;
  noiseType: NoiseType;
  seed: number;
  /** Slices per forward pass (default 8). */
  sliceBatch?: number;
  /** 'patched' (pDDPM, 4 passes per slice) or 'whole' (DDPM, 1 pass). Default 'patched'. */
  patching?: PatchingMode;
  dims?: Dims3;
  simplex?: SimplexParams;
  diffusionSteps?: number;
  cosineOffset?: number;
  /** Called after each slice batch with slices done and the total. */
  onProgress?: (slicesDone: number, slices: number) => void;
  /** Helper engines that compute some of each forward's slices (Node's worker threads); the result is the same to the bit. */
  sharedForwards?: SharedForwards;
}

/**
 * The stitched reconstruction of a conformed volume (96 x 96 x 50 on [0, 1], AIR already applied),
 * on [0, 1]. For each slice and box: x_t from the clean slice inside the box, clean outside, one
 * forward pass for x0, paste the box. One noise field (seeded) serves all boxes and slices, so the
 * same seed gives the same result.
 * @example const recon = await reconstructVolume(unet, image, { noiseLevel: 750, noiseType: 'simplex', seed: 1 });
 */
export async function reconstructVolume(model: UNet, volume: Float32Array, options: ReconstructOptions): Promise<Float32Array> {
  const [nx, ny, nz] = options.dims ?? CONFORMED_DIMS;
  const schedule = cosineSchedule(options.diffusionSteps, options.cosineOffset);
  if (!Number.isInteger(options.noiseLevel) || options.noiseLevel < 1 || options.noiseLevel > schedule.steps) {
    throw new RangeError(`reconstructVolume: noise level must be an integer in 1 .. ${schedule.steps}, got ${options.noiseLevel}`);
  }
  if (volume.length !== nx * ny * nz) throw new RangeError(`reconstructVolume: expected ${nx} x ${ny} x ${nz} = ${nx * ny * nz} voxels, got ${volume.length}`);
  if (nx !== ny) throw new RangeError(`reconstructVolume: slices must be square, got ${nx} x ${ny}`);
  const t = options.noiseLevel - 1;
  const sliceBatch = Math.max(1, Math.floor(options.sliceBatch ?? 8));
  const boxes = patchBoxes(options.patching ?? 'patched', nx, nx / 2);
  const field = noiseField(options.noiseType, new Rng(`reconstruct:${options.seed}`), t, ny, nx, options.simplex ?? SIMPLEX_DEFAULTS);
  const sliceSize = nx * ny;
  const out = new Float32Array(volume.length);
  const noise = tf.tensor4d(field, [1, ny, nx, 1]);
  const masks = boxes.map((b) => tf.tensor4d(boxMask(b, nx), [1, ny, nx, 1]));
  const shared = options.sharedForwards;
  const forward = (input: tf.Tensor4D, steps: number[]): Promise<tf.Tensor4D> =>
    shared === undefined ? Promise.resolve(model.apply(input, steps)) : dataParallelApply(model, shared, input, steps);
  // Tensors of the slice batch in progress, freed however it ends (the forwards are awaited, so no tidy spans them).
  const held = new Set<tf.Tensor>();
  const hold = <T extends tf.Tensor>(tensor: T): T => (held.add(tensor), tensor);
  const release = (tensor: tf.Tensor): void => {
    held.delete(tensor);
    tensor.dispose();
  };
  try {
    for (let k0 = 0; k0 < nz; k0 += sliceBatch) {
      const count = Math.min(sliceBatch, nz - k0);
      const steps = new Array<number>(count).fill(t);
      const x0 = hold(tf.tidy(() => toModelRange(tf.tensor4d(volume.subarray(k0 * sliceSize, (k0 + count) * sliceSize), [count, ny, nx, 1])) as tf.Tensor4D));
      let sum: tf.Tensor = hold(tf.zerosLike(x0));
      for (const mask of masks) {
        const input = hold(tf.tidy(() => noisedInput(x0, noise as tf.Tensor4D, steps, mask, schedule)));
        const prediction = hold(await forward(input, steps));
        const next = hold(tf.tidy(() => tf.add(sum, tf.mul(mask, fromModelRange(prediction)))));
        [input, prediction, sum].forEach(release);
        sum = next;
      }
      out.set((await sum.data()) as Float32Array, k0 * sliceSize);
      [x0, sum].forEach(release);
      options.onProgress?.(k0 + count, nz);
    }
  } finally {
    tf.dispose([noise, ...masks, ...held]);
  }
  return out;
}
