// Sum over outer axes for the tfjs WASM backend without the full transpose that 4.22 makes first (bias gradients, broadcast gradients).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelArgs } from './kernelArgs.ts';
import { columnSums } from './wasmGroupNorm.ts';
import { tensorOffset } from './wasmLinkedModule.ts';

/*
 * tfjs-backend-wasm 4.22 sums only over innermost axes: any other axes are first moved inward by a
 * transpose of the whole tensor. The engine mostly sums NHWC gradients over [0, 1, 2] (bias and
 * broadcast gradients), i.e. over outer axes with the channels kept. Viewing x as [outer, reduced,
 * inner] with the reduced axes one contiguous run, this adds the inner rows in one pass (float64
 * accumulators): in WebAssembly SIMD where inner is a multiple of 4 (GroupNorm's statistics pass, 4-8x faster than
 * the JS loop here), with the same sums in the same order. Other axis sets, dtypes and innermost reductions stay with
 * the original kernel.
 */

/** Float64 sums over the middle axis of x viewed as [outer, reduced, inner], each column in row order. */
function outerSums(backend: BackendWasm, x: tf.TensorInfo, outer: number, reduced: number, inner: number): Float64Array {
  const sums = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    const simd = columnSums(backend, tensorOffset(backend, x) + o * reduced * inner * 4, reduced * inner, inner);
    if (simd !== null) {
      sums.set(simd, o * inner);
      continue;
    }
    const src = backend.typedArrayFromHeap(x) as Float32Array;
    for (let r = 0; r < reduced; r++) {
      const base = (o * reduced + r) * inner;
      for (let i = 0; i < inner; i++) sums[o * inner + i] += src[base + i];
    }
  }
  return sums;
}

function makeSum(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const x = args.inputs.x;
    if (x === undefined) throw new Error('Sum (wasm): missing input x');
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
    const rank = x.shape.length;
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
    const last = axes[axes.length - 1];
    if (x.dtype !== 'float32' || axes.length === 0 || !contiguous || last === rank - 1) return original(args);
    const size = (from: number, to: number): number => x.shape.slice(from, to).reduce((a, b) => a * b, 1);
    const outer = size(0, axes[0]);
    const reduced = size(axes[0], last + 1);
    const inner = size(last + 1, rank);
    const kept = x.shape.filter((_, d) => !axes.includes(d));
    const outShape = keepDims ? x.shape.map((s, d) => (axes.includes(d) ? 1 : s)) : kept;
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(outShape, 'float32');
    const sums = outerSums(backend, x, outer, reduced, inner);
    // A view taken after every allocation: a heap growth detaches older ones.
    (backend.typedArrayFromHeap(out) as Float32Array).set(sums);
    return out;
  };
}

let registered = false;

/** Replaces the WASM Sum (idempotent); its setup still binds the original for the cases it keeps. */
export function registerWasmSum(): void {
  if (registered) return;
  registered = true;
  const config = tf.getKernel(tf.Sum, 'wasm');
  if (config === undefined) return;
  tf.unregisterKernel(tf.Sum, 'wasm');
  tf.registerKernel({ kernelName: tf.Sum, backendName: 'wasm', kernelFunc: makeSum(config.kernelFunc) as unknown as tf.KernelFunc, setupFunc: config.setupFunc });
}
