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
 * The 25 differences are one 1 -> 25 channel conv with zero padding, the weighted sums
 * 25 -> 1 channel 1 x 1 convs. Only the forward runs them: the gradient is SSIM's closed-form derivative through
 * these moments (ssimLossGradients), 1-channel convs and elementwise ops only.
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

/** The precise local moments of one image pair, [N, H, W, 1] each: Gaussian means, population variances, covariance. */
interface SsimMoments {
  muX: tf.Tensor4D;
  muY: tf.Tensor4D;
  varX: tf.Tensor4D;
  varY: tf.Tensor4D;
  cov: tf.Tensor4D;
}

function gaussianFilter(): tf.Tensor4D {
  const window = Float32Array.from(gaussianWindow(SSIM_WINDOW_SIZE, SSIM_SIGMA));
  return tf.tensor4d(window, [SSIM_WINDOW_SIZE, SSIM_WINDOW_SIZE, 1, 1]);
}

function ssimMoments(x: tf.Tensor4D, y: tf.Tensor4D): SsimMoments {
  const r = (SSIM_WINDOW_SIZE - 1) / 2;
  const gaussian = gaussianFilter();
  const tapWeights = tf.reshape(gaussian, [1, 1, TAPS, 1]) as tf.Tensor4D;
  const differences = differenceFilter();
  // The convolutions' own zero padding (tfjs-wasm's PadV2 took 1.6 ms per [4, 96, 96, 1] image).
  const zeroPadded: tf.backend_util.ExplicitPadding = [[0, 0], [r, r], [r, r], [0, 0]];
  // Separate convs per image and moment (no channel splits: slow on some backends).
  const muX = tf.conv2d(x, gaussian, 1, zeroPadded);
  const muY = tf.conv2d(y, gaussian, 1, zeroPadded);
  const dx = tf.conv2d(x, differences, 1, zeroPadded);
  const dy = tf.conv2d(y, differences, 1, zeroPadded);
  const expect = (t: tf.Tensor): tf.Tensor4D => tf.conv2d(t as tf.Tensor4D, tapWeights, 1, 'valid');
  const mdx = expect(dx);
  const mdy = expect(dy);
  const varX = tf.sub(expect(tf.mul(dx, dx)), tf.mul(mdx, mdx)) as tf.Tensor4D;
  const varY = tf.sub(expect(tf.mul(dy, dy)), tf.mul(mdy, mdy)) as tf.Tensor4D;
  const cov = tf.sub(expect(tf.mul(dx, dy)), tf.mul(mdx, mdy)) as tf.Tensor4D;
  return { muX, muY, varX, varY, cov };
}

/** What the forward keeps for the gradient, in save() order: the inputs, the moments, the SSIM factors and 1 - ssim. */
const SAVED = ['x', 'y', 'muX', 'muY', 'varX', 'varY', 'cov', 'a1', 'a2', 'b1', 'b2', 'ssim', 'unclipped'] as const;
type Saved = Record<(typeof SAVED)[number], tf.Tensor4D>;

/**
 * Gradients of sum(upstream * lossMap) for x and y in closed form: autodiff through the 25-channel forward took
 * ~22 ms per [4, 96, 96, 1] on WASM (the forward ~14 ms), this ~6 ms. G = dLoss/dS per window p is -upstream / 2
 * where clipByValue passes the gradient (its bounds included, as tfjs's own gradient), else 0. With S = A1 A2 / (B1 B2),
 *   dS/dmuX = 2 muY A2 / (B1 B2) - 2 muX S / B1,  dS/dvarX = -S / B2,  dS/dcov = 2 A1 / (B1 B2),
 * and d muX_p/dx_q = w_(q-p), d varX_p/dx_q = 2 w_(q-p) (x_q - muX_p), d cov_p/dx_q = w_(q-p) (y_q - muY_p), summed
 * over the windows p that hold q. The large coefficients (1 / B2 up to 1 / C2 on flat windows) must not multiply
 * rounding errors of size |x| eps (x (w * dS/dvarX) against w * (muX dS/dvarX)), so the terms are regrouped around
 * e = y - x, its mean e_mu = muY - muX and sigma = 2 G dS/dvarX + G dS/dcov = 2 G A1 (B2 - A2) / (B1 B2^2), which is
 * 0 where both images are flat (B2 - A2 = var(x - y)); with gamma = G dS/dcov:
 *   grad_x = w * (G dS/dmuX - sigma muX - gamma e_mu) + x (w * sigma) + e (w * gamma),
 *   grad_y = w * (G dS/dmuY - sigma muY + gamma e_mu) + y (w * sigma) - e (w * gamma),
 * '*' being the adjoint of the zero-padded Gaussian filter: the same symmetric filter with 'same' zero padding.
 */
function ssimLossGradients(upstream: tf.Tensor4D, saved: tf.Tensor[]): tf.Tensor4D[] {
  return tf.tidy(() => {
    const { x, y, muX, muY, varX, varY, cov, a1, a2, b1, b2, ssim, unclipped } = Object.fromEntries(
      SAVED.map((name, i) => [name, saved[i]]),
    ) as Saved;
    const passes = tf.logicalAnd(tf.greaterEqual(unclipped, 0), tf.lessEqual(unclipped, 1));
    const twoG = tf.where(passes, tf.neg(upstream), tf.zerosLike(upstream));
    const e = tf.sub(y, x);
    const eMu = tf.sub(muY, muX);
    // G dS/dmuX from the forward's own means: near-zero means (1 / B1 large) need them consistent with S.
    const twoGOverB1 = tf.div(twoG, b1);
    const a2OverB2 = tf.div(a2, b2);
    const dMuX = tf.mul(twoGOverB1, tf.sub(tf.mul(muY, a2OverB2), tf.mul(muX, ssim)));
    const dMuY = tf.mul(twoGOverB1, tf.sub(tf.mul(muX, a2OverB2), tf.mul(muY, ssim)));
    const gamma = tf.div(tf.mul(twoGOverB1, a1), b2);
    const sigma = tf.div(tf.mul(gamma, tf.sub(tf.add(varX, varY), tf.mul(cov, 2))), b2);
    const gammaEMu = tf.mul(gamma, eMu);
    const alphaX = tf.sub(dMuX, tf.add(tf.mul(sigma, muX), gammaEMu));
    const alphaY = tf.add(tf.sub(dMuY, tf.mul(sigma, muY)), gammaEMu);
    const gaussian = gaussianFilter();
    const spread = (t: tf.Tensor): tf.Tensor4D => tf.conv2d(t as tf.Tensor4D, gaussian, 1, 'same');
    const spreadSigma = spread(sigma);
    const eSpreadGamma = tf.mul(e, spread(gamma));
    const gradX = tf.add(spread(alphaX), tf.add(tf.mul(x, spreadSigma), eSpreadGamma));
    const gradY = tf.add(spread(alphaY), tf.sub(tf.mul(y, spreadSigma), eSpreadGamma));
    return [gradX, gradY] as tf.Tensor4D[];
  });
}

const ssimLossMapWithGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, y, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  const m = ssimMoments(x, y);
  const a1 = tf.add(tf.mul(tf.mul(m.muX, m.muY), 2), SSIM_C1);
  const a2 = tf.add(tf.mul(m.cov, 2), SSIM_C2);
  const b1 = tf.add(tf.add(tf.mul(m.muX, m.muX), tf.mul(m.muY, m.muY)), SSIM_C1);
  const b2 = tf.add(tf.add(m.varX, m.varY), SSIM_C2);
  const ssim = tf.div(tf.mul(a1, a2), tf.mul(b1, b2));
  const unclipped = tf.sub(1, ssim);
  const kept = { x, y, ...m, a1, a2, b1, b2, ssim, unclipped } as Saved;
  save(SAVED.map((name) => kept[name]));
  return {
    value: tf.div(tf.clipByValue(unclipped, 0, 1), 2) as tf.Tensor4D,
    gradFunc: (upstream: tf.Tensor4D, saved: tf.Tensor[]) => ssimLossGradients(upstream, saved),
  };
});

/**
 * SSIM loss map clamp(1 - ssim, 0, 1) / 2 of NHWC single-channel x against y: 5 x 5 Gaussian window
 * (sigma 1.5, sum 1), zero padding of 2, C1 = 1e-4, C2 = 9e-4, population variances. Differentiable in
 * x and y through a closed-form gradient (ssimLossGradients).
 * @example const loss = ssimLossMapTf(x, xHat); // [N, H, W, 1]
 */
export function ssimLossMapTf(x: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[3] !== 1 || y.shape[3] !== 1) throw new Error('ssimLossMapTf: single-channel NHWC images expected');
  return ssimLossMapWithGradient(x, y);
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
