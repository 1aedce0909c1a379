// Forward diffusion for pDDPM: [0, 1] -> [-1, 1], x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, kept only inside the box.
import * as tf from '@tensorflow/tfjs';
import type { NoiseSchedule } from './schedule.ts';

/** [0, 1] image -> the model's [-1, 1] range. */
export function toModelRange(x01: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(x01, 2), 1);
}

/** Model output -> [0, 1], clipped (reconstructions are scored on [0, 1]). */
export function fromModelRange(x: tf.Tensor): tf.Tensor {
  return tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1);
}

/**
 * The model input of a pDDPM sample: x_t inside the box (mask = 1), the clean x0 outside.
 * x0 and noise are NHWC [N, H, W, 1] (x0 on [-1, 1]); mask broadcasts against them; t is one
 * integer step per sample.
 */
export function noisedInput(x0: tf.Tensor4D, noise: tf.Tensor4D, t: ArrayLike<number>, mask: tf.Tensor, schedule: NoiseSchedule): tf.Tensor4D {
  const n = x0.shape[0];
  if (t.length !== n) throw new Error(`noisedInput: ${t.length} timesteps for a batch of ${n}`);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const step = t[i];
    if (!Number.isInteger(step) || step < 0 || step >= schedule.steps) throw new RangeError(`noisedInput: t = ${step} is outside 0 .. ${schedule.steps - 1}`);
    a[i] = schedule.sqrtAlphaBar[step];
    b[i] = schedule.sqrtOneMinusAlphaBar[step];
  }
  return tf.tidy(() => {
    const xt = tf.add(tf.mul(x0, tf.tensor4d(a, [n, 1, 1, 1])), tf.mul(noise, tf.tensor4d(b, [n, 1, 1, 1])));
    return tf.add(x0, tf.mul(mask, tf.sub(xt, x0))) as tf.Tensor4D;
  });
}
