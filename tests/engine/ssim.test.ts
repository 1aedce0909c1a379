// tfjs SSIM loss / FQ maps against the float64 core reference (src/core/quality), and the patched loss's masking.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fqMap, l1Map, ssimLossMap } from '../../src/core/quality/index.ts';
import { fqMapTf, patchedLoss, Rng, ssimLossMapTf } from '../../src/engine/index.ts';
import { useWasm } from './backendSetup.ts';
import { maxAbsDiff } from '../support/closeness.ts';

const S = 96;
const N = 3;

/** A phantom with flat regions (the hard case for float32 variances), background 0. */
function phantom(rng: Rng, noise: number): Float32Array {
  const a = new Float32Array(S * S);
  for (let j = 0; j < S; j++) {
    for (let i = 0; i < S; i++) {
      const r = Math.hypot(i - 48, j - 48);
      if (r >= 36) continue;
      a[j * S + i] = (r < 10 ? 0.9 : i > 48 ? 0.65 : 0.55) + noise * rng.normal();
    }
  }
  return a;
}

type Case = [string, Float32Array, Float32Array];

function cases(): Case[] {
  const rng = new Rng(17);
  const out: Case[] = [];
  const fill = (f: (k: number) => [Float32Array, Float32Array]): [Float32Array, Float32Array] => {
    const x = new Float32Array(N * S * S);
    const y = new Float32Array(N * S * S);
    for (let k = 0; k < N; k++) {
      const [a, b] = f(k);
      x.set(a, k * S * S);
      y.set(b, k * S * S);
    }
    return [x, y];
  };
  const uniform = (): Float32Array => Float32Array.from({ length: S * S }, () => rng.next());
  out.push(['uniform noise', ...fill(() => [uniform(), uniform()])]);
  out.push(['phantom vs noisy phantom', ...fill(() => [phantom(rng, 0), phantom(rng, 0.03)])]);
  out.push(['phantom vs scaled phantom (flat regions)', ...fill(() => {
    const a = phantom(rng, 0);
    return [a, a.map((v) => v * 0.97 + 0.01)];
  })]);
  out.push(['identical images', ...fill(() => {
    const a = phantom(rng, 0.02);
    return [a, a.slice()];
  })]);
  out.push(['[-1, 1] data (training range)', ...fill(() => {
    const a = phantom(rng, 0.02).map((v) => 2 * v - 1);
    return [a, a.map((v) => v + 0.1 * rng.normal())];
  })]);
  return out;
}


describe('tfjs SSIM loss and FQ maps', () => {
  beforeAll(async () => {
    await useWasm();
  });

  for (const [name, x, y] of cases()) {
    it(`match core ssimLossMap / fqMap to 1e-5: ${name}`, () => {
      const tx = tf.tensor4d(x, [N, S, S, 1]);
      const ty = tf.tensor4d(y, [N, S, S, 1]);
      const ssimRef = ssimLossMap(x, y, [S, S, N]);
      const ssimTf = ssimLossMapTf(tx, ty);
      expect(maxAbsDiff(ssimTf.dataSync(), ssimRef)).toBeLessThan(1e-5);
      const fqRef = fqMap(ssimRef, l1Map(x, y), 0.84);
      const fqTf = fqMapTf(tx, ty, 0.84);
      expect(maxAbsDiff(fqTf.dataSync(), fqRef)).toBeLessThan(1e-5);
      const meanRef = fqRef.reduce((a, b) => a + b, 0) / fqRef.length;
      // The loss is the mean of the map (float32 summation over 27,648 pixels).
      expect(Math.abs(tf.mean(fqTf).dataSync()[0] - meanRef)).toBeLessThan(1e-5);
      tf.dispose([tx, ty, ssimTf, fqTf]);
    });
  }

  it('give exactly 0 for identical inputs', () => {
    const a = tf.tensor4d(phantom(new Rng(1), 0.05), [1, S, S, 1]);
    expect(tf.max(ssimLossMapTf(a, a)).dataSync()[0]).toBe(0);
    a.dispose();
  });
});

describe('patchedLoss', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('ignores the prediction outside the box; l1 = mean |pred - x0| over the whole slice', () => {
    const rng = new Rng(5);
    const x0v = Float32Array.from({ length: 2 * 16 * 16 }, () => 2 * rng.next() - 1);
    const predv = Float32Array.from({ length: 2 * 16 * 16 }, () => 2 * rng.next() - 1);
    const maskv = new Float32Array(2 * 16 * 16);
    for (let j = 0; j < 8; j++) for (let i = 0; i < 8; i++) maskv[j * 16 + i] = 1; // sample 0: top-left box
    for (let j = 8; j < 16; j++) for (let i = 8; i < 16; i++) maskv[256 + j * 16 + i] = 1; // sample 1: bottom-right
    const x0 = tf.tensor4d(x0v, [2, 16, 16, 1]);
    const pred = tf.tensor4d(predv, [2, 16, 16, 1]);
    const mask = tf.tensor4d(maskv, [2, 16, 16, 1]);
    let expected = 0;
    for (let p = 0; p < maskv.length; p++) expected += maskv[p] * Math.abs(predv[p] - x0v[p]);
    expected /= maskv.length;
    const l1 = patchedLoss(pred, x0, mask, { kind: 'l1', alpha: 0.84, range: 'model' });
    expect(l1.dataSync()[0]).toBeCloseTo(expected, 6);
    // Changing the prediction outside the boxes changes nothing, for l1 and FQ.
    const outside = tf.add(pred, tf.mul(tf.sub(1, mask), 5)) as tf.Tensor4D;
    for (const kind of ['l1', 'fq'] as const) {
      const a = patchedLoss(pred, x0, mask, { kind, alpha: 0.84, range: 'model' }).dataSync()[0];
      const b = patchedLoss(outside, x0, mask, { kind, alpha: 0.84, range: 'model' }).dataSync()[0];
      expect(b).toBe(a);
    }
    // FQ on [-1, 1] (default) vs on [0, 1]: the l1 part halves, SSIM changes: different values.
    const model = patchedLoss(pred, x0, mask, { kind: 'fq', alpha: 0.84, range: 'model' }).dataSync()[0];
    const unit = patchedLoss(pred, x0, mask, { kind: 'fq', alpha: 0.84, range: 'unit' }).dataSync()[0];
    expect(model).not.toBeCloseTo(unit, 3);
    tf.dispose([x0, pred, mask, outside]);
  });
});
