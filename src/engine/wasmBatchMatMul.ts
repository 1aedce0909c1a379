// Fast BatchMatMul for the tfjs WASM backend: 4.22 sends batched and transposed products to a scalar loop, only plain 2D ones to XNNPACK.
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from './kernelArgs.ts';

/*
 * tfjs-backend-wasm 4.22 (batch_mat_mul.cc) hands a product to XNNPACK only when it is a single
 * [M, K] x [K, N] matrix product without transposes; batched or transposed operands (attention,
 * and every matMul gradient) take a scalar loop that is 5-10x slower here. This kernel makes
 * explicit transposes and runs one plain 2D product per batch entry, which all reach XNNPACK.
 * Results match the loop's to float32 rounding (the summation order differs).
 */

function asTensor(t: tf.TensorInfo | undefined, what: string): tf.Tensor {
  if (!(t instanceof tf.Tensor) || t.rank < 2) throw new Error(`BatchMatMul (wasm): ${what} must be a tensor of rank 2 or more`);
  return t;
}

/** [batch, rows, cols] of a rank >= 2 operand, transposed to its untransposed layout. */
function plain3d(t: tf.Tensor, transpose: boolean): tf.Tensor3D {
  const rows = t.shape[t.rank - 2];
  const cols = t.shape[t.rank - 1];
  const batched = tf.reshape(t, [t.size / (rows * cols), rows, cols]) as tf.Tensor3D;
  return transpose ? tf.transpose(batched, [0, 2, 1]) : batched;
}

function makeBatchMatMul(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const a = asTensor(args.inputs.a, 'a');
    const b = asTensor(args.inputs.b, 'b');
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const batchA = a.size / (a.shape[a.rank - 2] * a.shape[a.rank - 1]);
    const batchB = b.size / (b.shape[b.rank - 2] * b.shape[b.rank - 1]);
    const plain2d = batchA === 1 && batchB === 1 && !transposeA && !transposeB;
    // Broadcasting between two different batch shapes (unused by the engine) stays with the original.
    if (plain2d || a.dtype !== 'float32' || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return original(args);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return tf.tidy(() => {
      const as = tf.unstack(plain3d(a, transposeA)) as tf.Tensor2D[];
      const bs = tf.unstack(plain3d(b, transposeB)) as tf.Tensor2D[];
      const products = Array.from({ length: Math.max(batchA, batchB) }, (_, i) => tf.matMul(as[batchA === 1 ? 0 : i], bs[batchB === 1 ? 0 : i]));
      const [m, n] = products[0].shape;
      return tf.reshape(tf.stack(products), [...outer, m, n]);
    });
  };
}

let registered = false;

/** Replaces the WASM BatchMatMul (idempotent); call before the WASM backend runs a matMul. */
export function registerWasmBatchMatMul(): void {
  if (registered) return;
  registered = true;
  const config = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (config === undefined) return;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    kernelFunc: makeBatchMatMul(config.kernelFunc) as unknown as tf.KernelFunc,
    // The original's setup binds its WASM routine, which plain 2D products still use.
    setupFunc: config.setupFunc,
  });
}
