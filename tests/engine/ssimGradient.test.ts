// The SSIM loss map's closed-form gradient (tf.customGrad) against autodiff of the previous all-autodiff code, and
// against float64 finite differences, on the CPU and WASM backends.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaussianFilterSlice, gaussianWindow, SSIM_C1, SSIM_C2, SSIM_SIGMA, SSIM_WINDOW_SIZE, ssimFromMoments, ssimLossFromSsim } from '../../src/core/quality/index.ts';
import { Rng, ssimLossMapTf } from '../../src/engine/index.ts';
import { useWasm } from './backendSetup.ts';
import { relativeError } from '../support/closeness.ts';

const N = 2;
const H = 12;
const W = 13;
const SHAPE: [number, number, number, number] = [N, H, W, 1];
const PIXELS = N * H * W;
const TAPS = SSIM_WINDOW_SIZE * SSIM_WINDOW_SIZE;

/**
 * The SSIM loss map as it was before the closed-form gradient (src/engine/ssim.ts before the customGrad, verbatim):
 * its forward is the reference for bit identity, its tfjs autodiff the reference gradient.
 */
function ssimLossMapAutodiffReference(x: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const r = (SSIM_WINDOW_SIZE - 1) / 2;
    const window = Float32Array.from(gaussianWindow(SSIM_WINDOW_SIZE, SSIM_SIGMA));
    const gaussian = tf.tensor4d(window, [SSIM_WINDOW_SIZE, SSIM_WINDOW_SIZE, 1, 1]);
    const tapWeights = tf.tensor4d(window, [1, 1, TAPS, 1]);
    const f = new Float32Array(TAPS * TAPS);
    const centre = (TAPS - 1) / 2;
    for (let k = 0; k < TAPS; k++) {
      f[k * TAPS + k] += 1;
      f[centre * TAPS + k] -= 1;
    }
    const differences = tf.tensor4d(f, [SSIM_WINDOW_SIZE, SSIM_WINDOW_SIZE, 1, TAPS]);
    const pad = (t: tf.Tensor4D): tf.Tensor4D => tf.pad(t, [[0, 0], [r, r], [r, r], [0, 0]]);
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

interface Case {
  name: string;
  x: Float32Array;
  y: Float32Array;
  /** Whether the case is there for windows with 1 - ssim > 1, where the clamp stops the gradient. */
  clamps: boolean;
}

const CONSTANT_PATCHES = 'constant patches among texture';

/** Pixel index of (image n, row j, column i) in NHWC with one channel. */
const at = (n: number, j: number, i: number): number => (n * H + j) * W + i;

function cases(): Case[] {
  const rng = new Rng(23);
  const noise = (): Float32Array => Float32Array.from({ length: PIXELS }, () => 2 * rng.next() - 1);
  const out: Case[] = [];
  {
    const x = noise();
    out.push({ name: 'noise on [-1, 1] against a noisy copy', x, y: x.map((v) => v + 0.3 * rng.normal()), clamps: false });
  }
  {
    // y = -x on the left: anticorrelated windows, 1 - ssim > 1, clamped.
    const x = noise();
    const y = x.map((v, p) => (p % W < 6 ? -v : v + 0.1 * rng.normal()));
    out.push({ name: 'y = -x on the left (clamped windows)', x, y, clamps: true });
  }
  {
    // Constant patches (variances exactly 0 in the forward): different levels in image 0, the same level in image 1.
    const x = noise().map((v) => 0.5 + 0.2 * v);
    const y = x.map((v) => v + 0.05 * rng.normal());
    for (let j = 0; j < 8; j++) {
      for (let i = 0; i < 9; i++) {
        x[at(0, j, i)] = 0.3;
        y[at(0, j, i)] = 0.37;
        x[at(1, j + 4, i + 4)] = -0.7;
        y[at(1, j + 4, i + 4)] = -0.7;
      }
    }
    out.push({ name: CONSTANT_PATCHES, x, y, clamps: false });
  }
  {
    const x = noise().map((v) => 0.3 + 0.05 * v);
    out.push({ name: 'nearly flat images, small differences', x, y: x.map((v) => v + 0.01 * rng.normal()), clamps: false });
  }
  return out;
}

type MapFunction = (x: tf.Tensor4D, y: tf.Tensor4D) => tf.Tensor4D;

/** Gradients for x and y of sum(map(x, y) * weights). */
function gradients(map: MapFunction, x: Float32Array, y: Float32Array, weights: Float32Array): [Float32Array, Float32Array] {
  const tx = tf.tensor4d(x, SHAPE);
  const ty = tf.tensor4d(y, SHAPE);
  const tw = tf.tensor4d(weights, SHAPE);
  const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(map(a as tf.Tensor4D, b as tf.Tensor4D), tw)))([tx, ty]);
  const out: [Float32Array, Float32Array] = [gx.dataSync() as Float32Array, gy.dataSync() as Float32Array];
  tf.dispose([tx, ty, tw, gx, gy]);
  return out;
}

/** sum(ssimLossMap(x, y) * weights) in float64 (textbook moments, exact enough in float64) for finite differences. */
function weightedLoss64(x: Float64Array, y: Float64Array, weights: Float32Array): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    const slice = (a: Float64Array): Float64Array => a.subarray(n * H * W, (n + 1) * H * W);
    const xs = slice(x);
    const ys = slice(y);
    const filter = (f: (p: number) => number): Float64Array => gaussianFilterSlice(Float64Array.from(xs, (_, p) => f(p)), W, H);
    const muX = gaussianFilterSlice(xs, W, H);
    const muY = gaussianFilterSlice(ys, W, H);
    const exx = filter((p) => xs[p] * xs[p]);
    const eyy = filter((p) => ys[p] * ys[p]);
    const exy = filter((p) => xs[p] * ys[p]);
    for (let p = 0; p < H * W; p++) total += weights[n * H * W + p] * ssimLossFromSsim(ssimFromMoments(muX[p], muY[p], exx[p], eyy[p], exy[p]));
  }
  return total;
}

for (const backend of ['cpu', 'wasm']) {
  describe(`ssimLossMapTf's closed-form gradient on ${backend}`, () => {
    let before = 0;
    beforeAll(async () => {
      await useWasm();
      await tf.setBackend(backend);
      before = tf.memory().numTensors;
    });
    afterAll(async () => {
      // Nothing left behind by the forward, the saved moments or the gradient.
      expect(tf.memory().numTensors).toBe(before);
      await tf.setBackend('wasm');
    });

    for (const { name, x, y, clamps } of cases()) {
      it(`forward bit for bit, gradients of x and y as autodiff: ${name}`, () => {
        const rng = new Rng(`weights:${name}`);
        const weights = Float32Array.from({ length: PIXELS }, () => rng.normal());
        const tx = tf.tensor4d(x, SHAPE);
        const ty = tf.tensor4d(y, SHAPE);
        const reference = ssimLossMapAutodiffReference(tx, ty);
        const map = ssimLossMapTf(tx, ty);
        const bits = (t: tf.Tensor): Uint32Array => new Uint32Array((t.dataSync() as Float32Array).buffer);
        expect(bits(map)).toEqual(bits(reference));
        // Clamped windows give exactly 1 / 2.
        if (clamps) expect(reference.dataSync().filter((v) => v === 0.5).length).toBeGreaterThan(20);
        tf.dispose([tx, ty, reference, map]);

        const [gx, gy] = gradients(ssimLossMapTf, x, y, weights);
        const [rx, ry] = gradients(ssimLossMapAutodiffReference, x, y, weights);
        // Seen: at most 3.4e-6 (constant and nearly flat patches), 4e-7 elsewhere; x (w * beta) + y (w * gamma)
        // without the regrouping around y - x reached 1.2e-5.
        expect(relativeError(gx, rx)).toBeLessThan(5e-6);
        expect(relativeError(gy, ry)).toBeLessThan(5e-6);
      });
    }

    it('matches float64 central differences at a few pixels', () => {
      const { x, y } = cases().find((c) => c.name === CONSTANT_PATCHES)!;
      const rng = new Rng('weights:finite differences');
      const weights = Float32Array.from({ length: PIXELS }, () => rng.normal());
      const [gx, gy] = gradients(ssimLossMapTf, x, y, weights);
      const scale = Math.max(...gx.map(Math.abs), ...gy.map(Math.abs));
      const h = 1e-5;
      // A textured pixel, one inside the 0.3 / 0.37 patch, one on its edge, one in the -0.7 / -0.7 patch.
      for (const p of [at(0, 10, 11), at(0, 3, 3), at(0, 7, 8), at(1, 8, 8)]) {
        for (const [grad, which] of [[gx, 'x'], [gy, 'y']] as const) {
          const shifted = (delta: number): number => {
            const x64 = Float64Array.from(x);
            const y64 = Float64Array.from(y);
            (which === 'x' ? x64 : y64)[p] += delta;
            return weightedLoss64(x64, y64, weights);
          };
          const finite = (shifted(h) - shifted(-h)) / (2 * h);
          // Seen: up to 5e-7 of the scale in and at the 0.3 / 0.37 patch (float32 rounding times 1 / C2), 1e-7 elsewhere.
          expect(Math.abs(grad[p] - finite)).toBeLessThan(2e-6 * scale);
        }
      }
    });
  });
}
