// Conv gradient kernels on WASM (src/engine/wasmConvGradients.ts) against their previous formulations, at the U-Net's conv shapes.
// Usage: npx tsx bench/convGradients.bench.ts [--batches 2,4,8] [--reps 5]
// Times are each variant's fastest of --reps runs in process CPU time, the variants interleaved, so that other load on the
// machine inflates neither much; compare the ratios (previous / now), not the milliseconds, across runs.
// Measured 2026-11-29, 2-core AMD EPYC VM, load 1.1-1.2, --batches 2,4,8 --reps 5 (ratios previous / now):
//   dW, 3x3, 32-128 channels (small U-Net; per-tap GEMMs): N=2 1.23-1.56, N=4 1.30-1.65, N=8 1.21-1.51
//   dW, 3x3, 8-32 channels and 1x1 (tiny U-Net, skips; both columns run the single conv2d): 0.92-1.05, one 1.31
//   dx (filter flipped in JS rather than by Reverse + Transpose): 0.95-1.1 mostly, 1.4 at 24 px; the
//   outliers either way (0.3-2.3) come from conv timings that alternate between two levels, e.g. 45 and
//   70 ms at [8, 96, 96, 32], for both variants.
// Times for dW previous / now at micro-batch 2, 3x3: [96 px, 32->32] 23.0 / 15.4 ms, [48, 64->64] 17.9 / 12.6,
//   [24, 64->64] 4.0 / 3.3, [96, 64->32] 38.7 / 24.9, [48, 128->64] 34.3 / 24.2.
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { initBackend } from '../src/engine/index.ts';

/** [filter size, pixels, in channels, out channels] of the tiny (w = 8) and small (w = 32) U-Nets' convs, decoder concats and 1x1 skips included. */
const SHAPES: Array<[number, number, number, number]> = [
  [3, 96, 8, 8], [3, 48, 16, 16], [3, 24, 16, 16], [3, 96, 16, 8], [3, 96, 24, 8], [3, 48, 32, 16], [1, 48, 32, 16],
  [3, 96, 32, 32], [3, 48, 64, 64], [3, 24, 64, 64], [3, 96, 64, 32], [3, 96, 96, 32], [3, 48, 128, 64], [3, 24, 128, 64],
  [1, 96, 64, 32], [1, 48, 128, 64],
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** The filter gradient as it was: one conv2d of x as [Cin, H, W, N] with dy as the filter [H, W, N, Cout], x padded as for the 'same' forward. */
function previousFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor {
  const half = (w.shape[0] - 1) / 2;
  const pad: tf.backend_util.ExplicitPadding = [[0, 0], [half, half], [half, half], [0, 0]];
  return tf.tidy(() => tf.transpose(tf.conv2d(tf.transpose(x, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]), 1, pad), [1, 2, 0, 3]));
}

/** The data gradient as it was: the filter flipped with tfjs' Reverse and Transpose. */
function previousInputGradient(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => tf.conv2d(dy, tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same'));
}

function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor {
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape }) as tf.Tensor;
}

function inputGradient(x: tf.Tensor4D, dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor {
  return tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor;
}

/** Fastest CPU milliseconds of each variant over reps interleaved runs (one warm-up each). */
function fastest(variants: Array<() => tf.Tensor>, reps: number): number[] {
  const best = variants.map(() => Infinity);
  for (let r = -1; r < reps; r++) {
    variants.forEach((f, i) => {
      const c0 = process.cpuUsage();
      const out = f();
      out.dataSync();
      const c = process.cpuUsage(c0);
      out.dispose();
      if (r >= 0) best[i] = Math.min(best[i], (c.user + c.system) / 1000);
    });
  }
  return best;
}

const choice = await initBackend('wasm');
const batches = arg('batches', '2,4,8').split(',').map(Number);
const reps = Number(arg('reps', '5'));
console.log(`# conv gradients, 'same' stride 1: ${choice.reason}; ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| N | filter | px | Cin->Cout | dW previous ms | dW now ms | dW previous/now | dx previous ms | dx now ms | dx previous/now |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const n of batches) {
  for (const [k, px, cin, cout] of SHAPES) {
    const x = tf.randomNormal([n, px, px, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomNormal([n, px, px, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', 3) as tf.Tensor4D;
    const [dwBefore, dwNow, dxBefore, dxNow] = fastest([
      () => previousFilterGradient(x, dy, w),
      () => filterGradient(x, dy, w),
      () => previousInputGradient(dy, w),
      () => inputGradient(x, dy, w),
    ], reps);
    const cells = [dwBefore, dwNow, dwBefore / dwNow, dxBefore, dxNow, dxBefore / dxNow].map((v) => v.toFixed(2));
    console.log(`| ${n} | ${k}x${k} | ${px} | ${cin}->${cout} | ${cells.join(' | ')} |`);
    tf.dispose([x, dy, w]);
  }
}
