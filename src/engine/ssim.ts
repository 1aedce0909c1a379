// Differentiable SSIM loss and FQ maps in tfjs, matching src/core/quality (SPEC 4) for training losses.
import * as tf from '@tensorflow/tfjs';
import { SSIM_C1, SSIM_C2, SSIM_SIGMA, SSIM_WINDOW_SIZE, gaussianWindow } from '../core/quality/index.ts';

/*
 * Float32 precision: the textbook E[x^2] - mu^2 loses ~1e-7 absolute in flat regions, which the tiny
 * C2 = 9e-4 turns into SSIM-loss errors of ~1e-4. Instead every window is centred on its own pixel:
 * D_k = x_(p+k) - x_p for the 25 taps (exact differences, zero padding included as 0 - x_p), and
 *   mu = x_p + E[D], var = E[D^2] - E[D]^2, cov = E[Dx Dy] - E[Dx] E[Dy]   (E = Gaussian-weighted),
 * which is the same quantity (variance is shift-invariant) and is exactly 0 on flat patches. mu itself
 * comes straight from the Gaussian (more accurate than x_p + E[D] where mu is near 0 on [-1, 1] data).
 * The 25 differences are one 1 -> 25 channel 'valid' conv of the zero-padded image, the weighted sums
 * 25 -> 1 channel 1 x 1 convs.
 */

const TAPS = SSIM_WINDOW_SIZE * SSIM_WINDOW_SIZE;

/** [5, 5, 1, 25] filter whose channel k computes x_(p+k) - x_p. */
function differenceFilter(): tf.Tensor4D {
  const f = new Float32Array(TAPS * TAPS);
  const centre = (TAPS - 1) / 2;
  for (let k = 0; k < TAPS; k++) {
    f[k * TAPS + k] += 1;
    f[centre * TAPS + k] -= 1;
  }
  return tf.tensor4d(f, [SSIM_WINDOW_SIZE, SSIM_WINDOW_SIZE, 1, TAPS]);
}

/**
 * SSIM loss map clamp(1 - ssim, 0, 1) / 2 of NHWC single-channel x against y: 5 x 5 Gaussian window
 * (sigma 1.5, sum 1), zero padding of 2, C1 = 1e-4, C2 = 9e-4, population variances.
 * @example const loss = ssimLossMapTf(x, xHat); // [N, H, W, 1]
 */
export function ssimLossMapTf(x: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[3] !== 1 || y.shape[3] !== 1) throw new Error('ssimLossMapTf: single-channel NHWC images expected');
  return tf.tidy(() => {
    const r = (SSIM_WINDOW_SIZE - 1) / 2;
    const window = Float32Array.from(gaussianWindow(SSIM_WINDOW_SIZE, SSIM_SIGMA));
    const gaussian = tf.tensor4d(window, [SSIM_WINDOW_SIZE, SSIM_WINDOW_SIZE, 1, 1]);
    const tapWeights = tf.tensor4d(window, [1, 1, TAPS, 1]);
    const differences = differenceFilter();
    const pad = (t: tf.Tensor4D): tf.Tensor4D => tf.pad(t, [[0, 0], [r, r], [r, r], [0, 0]]);
    // Separate convs per image and moment (no channel splits: slow on some backends).
    const px = pad(x);
    const py = pad(y);
    const muX = tf.conv2d(px, gaussian, 1, 'valid');
    const muY = tf.conv2d(py, gaussian, 1, 'valid');
    const dx = tf.conv2d(px, differences, 1, 'valid');
    const dy = tf.conv2d(py, differences, 1, 'valid');
    const expect = (t: tf.Tensor): tf.Tensor4D => tf.conv2d(t as tf.Tensor4D, tapWeights, 1, 'valid');
    const mdx = expect(dx);
    const mdy = expect(dy);
    const varX = tf.sub(expect(tf.mul(dx, dx)), tf.mul(mdx, mdx));
    const varY = tf.sub(expect(tf.mul(dy, dy)), tf.mul(mdy, mdy));
    const cov = tf.sub(expect(tf.mul(dx, dy)), tf.mul(mdx, mdy));
    const numerator = tf.mul(tf.add(tf.mul(tf.mul(muX, muY), 2), SSIM_C1), tf.add(tf.mul(cov, 2), SSIM_C2));
    const denominator = tf.mul(tf.add(tf.add(tf.mul(muX, muX), tf.mul(muY, muY)), SSIM_C1), tf.add(tf.add(varX, varY), SSIM_C2));
    const ssim = tf.div(numerator, denominator);
    return tf.div(tf.clipByValue(tf.sub(1, ssim), 0, 1), 2) as tf.Tensor4D;
  });
}

/** FQ map alpha * SSIM loss + (1 - alpha) * |x - y| (alpha = 0: plain l1). */
export function fqMapTf(x: tf.Tensor4D, y: tf.Tensor4D, alpha: number): tf.Tensor4D {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`fqMapTf: alpha must be within [0, 1], got ${alpha}`);
  return tf.tidy(() => {
    const l1 = tf.abs(tf.sub(x, y));
    if (alpha === 0) return l1 as tf.Tensor4D;
    return tf.add(tf.mul(ssimLossMapTf(x, y), alpha), tf.mul(l1, 1 - alpha)) as tf.Tensor4D;
  });
}
