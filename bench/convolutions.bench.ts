// The WASM backend's convolutions at the U-Nets' shapes: Winograd F(4x4, 3x3) and the module's 1x1 product (src/engine/wasmWinogradConv.ts) against XNNPACK's direct convolution, forward, data and filter gradients.
// Usage: npx tsx bench/convolutions.bench.ts [--batches 2,8] [--reps 5]
// Times are each variant's fastest of --reps runs in process CPU time, the variants interleaved, so that other load on the
// machine inflates neither much; compare the ratios (direct / Winograd), not the milliseconds, across runs. "Direct" is
// what the engine ran before Winograd: XNNPACK's convolution, and for dW the per-tap GEMMs or one conv2d (wasmConvGradients.ts),
// whose own comparison with the older single-conv2d filter gradient (1.2-1.65x at 32-128 channels) is in bench/convGradients.bench.ts at d387166.
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { initBackend } from '../src/engine/index.ts';
import { setWinogradSettings } from '../src/engine/wasmWinogradConv.ts';

/** [pixels, in channels, out channels, filter size] of the tiny (w = 8) and small (w = 32) U-Nets' convs, decoder concats included. */
const SHAPES: Array<[number, number, number, number]> = [
  [96, 8, 8, 3], [48, 16, 16, 3], [24, 16, 16, 3], [96, 16, 8, 3], [96, 24, 8, 3], [48, 32, 16, 3],
  [96, 32, 32, 3], [48, 64, 64, 3], [24, 64, 64, 3], [96, 64, 32, 3], [96, 96, 32, 3], [48, 128, 64, 3], [24, 128, 64, 3], [24, 128, 128, 3],
  // The residual blocks' 1x1 skip convolutions where channels change.
  [96, 16, 8, 1], [48, 32, 16, 1], [96, 24, 8, 1], [96, 64, 32, 1], [48, 128, 64, 1], [96, 96, 32, 1], [24, 128, 64, 1], [48, 96, 64, 1],
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const OPERATIONS = {
  forward: (x: tf.Tensor4D, _dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor => tf.conv2d(x, w, 1, 'same'),
  dx: (x: tf.Tensor4D, dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor =>
    tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor,
  dW: (x: tf.Tensor4D, dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor =>
    tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape }) as tf.Tensor,
};

/**
 * Fastest CPU milliseconds of each variant over reps interleaved runs (one warm-up each). WASM kernels finish before they
 * return, so the output is not read back: copying it out took either 1 or about 30 ms at random for a 9 MB tensor here.
 */
function fastest(variants: Array<() => tf.Tensor>, reps: number): number[] {
  const best = variants.map(() => Infinity);
  for (let r = -1; r < reps; r++) {
    variants.forEach((f, i) => {
      const c0 = process.cpuUsage();
      const out = f();
      const c = process.cpuUsage(c0);
      out.dispose();
      if (r >= 0) best[i] = Math.min(best[i], (c.user + c.system) / 1000);
    });
  }
  return best;
}

/** The operation with the Winograd path on or off. */
function withWinograd(enabled: boolean, f: () => tf.Tensor): () => tf.Tensor {
  return () => {
    setWinogradSettings({ enabled });
    try {
      return f();
    } finally {
      setWinogradSettings({ enabled: true });
    }
  };
}

const choice = await initBackend('wasm');
const batches = arg('batches', '2,8').split(',').map(Number);
const reps = Number(arg('reps', '5'));
console.log(`# 3x3 and 1x1 convolutions, 'same' stride 1 ("Winograd" is the module's product for 1x1): ${choice.reason}; ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const names = Object.keys(OPERATIONS) as Array<keyof typeof OPERATIONS>;
console.log(`| N | px | k | Cin->Cout | ${names.map((op) => `${op} direct ms | ${op} Winograd ms | ${op} direct/Winograd`).join(' | ')} |`);
console.log(`|---|---|---|---|${names.map(() => '---|---|---|').join('')}`);
for (const n of batches) {
  for (const [px, cin, cout, k] of SHAPES) {
    const x = tf.randomNormal([n, px, px, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomNormal([n, px, px, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', 3) as tf.Tensor4D;
    const cells = names.flatMap((op) => {
      const [direct, winograd] = fastest([withWinograd(false, () => OPERATIONS[op](x, dy, w)), withWinograd(true, () => OPERATIONS[op](x, dy, w))], reps);
      return [direct.toFixed(2), winograd.toFixed(2), (direct / winograd).toFixed(2)];
    });
    console.log(`| ${n} | ${px} | ${k} | ${cin}->${cout} | ${cells.join(' | ')} |`);
    tf.dispose([x, dy, w]);
  }
}
