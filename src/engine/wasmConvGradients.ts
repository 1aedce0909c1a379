// Fast conv2d gradient kernels for the tfjs WASM backend: 4.22 lacks Conv2DBackpropFilter and its Conv2DBackpropInput is a naive loop.
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from './kernelArgs.ts';

/*
 * Both gradients of a stride-1 convolution are themselves forward convolutions, which the WASM
 * backend runs through XNNPACK (30-40x faster here than its backprop loops):
 *   dx = conv2d(dy, W flipped in space with in/out swapped, padding k-1-p);
 *   dW = conv2d(x as [C, H, W, N], dy as [H, W, N, Cout], padding p), i.e. the batch is contracted
 *        like channels and the output spatial extent is the filter size.
 * A stride s becomes a dilation s of dy in the dW convolution; strided dx (unused by the engine)
 * falls back to the backend's own kernel.
 */

interface Pads { top: number; bottom: number; left: number; right: number }

function asTensor4D(t: tf.TensorInfo | undefined, what: string): tf.Tensor4D {
  if (!(t instanceof tf.Tensor) || t.rank !== 4) throw new Error(`conv2d gradient (wasm): ${what} must be a rank-4 tensor`);
  return t as tf.Tensor4D;
}

function stridesOf(strides: [number, number] | number): [number, number] {
  return typeof strides === 'number' ? [strides, strides] : strides;
}

function explicit(p: Pads): tf.backend_util.ExplicitPadding {
  return [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
}

function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const x = asTensor4D(args.inputs.x, 'x');
  const dy = asTensor4D(args.inputs.dy, 'dy');
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${attrs.dataFormat}`);
  const [fh, fw] = attrs.filterShape;
  const strides = stridesOf(attrs.strides);
  const info = tf.backend_util.computeConv2DInfo(x.shape, attrs.filterShape, strides, 1, attrs.pad, attrs.dimRoundingMode);
  const p = info.padInfo;
  return tf.tidy(() => {
    const xAsBatchOfChannels = tf.transpose(x, [3, 1, 2, 0]);
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]);
    // A forward stride s samples the input every s pixels: the same as dilating dy by s here.
    const full = tf.conv2d(xAsBatchOfChannels, dyAsFilter, 1, explicit(p), 'NHWC', strides);
    const dwChannelsFirst = full.shape[1] === fh && full.shape[2] === fw ? full : tf.slice(full, [0, 0, 0, 0], [-1, fh, fw, -1]);
    return tf.transpose(dwChannelsFirst, [1, 2, 0, 3]);
  });
}

function makeConv2dBackpropInput(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const dy = asTensor4D(args.inputs.dy, 'dy');
    const filter = asTensor4D(args.inputs.filter, 'filter');
    const [fh, fw] = filter.shape;
    const strides = stridesOf(attrs.strides);
    if (attrs.dataFormat !== 'NHWC' || strides[0] !== 1 || strides[1] !== 1) return original(args);
    const pads = tf.backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape, strides, 1, attrs.pad, attrs.dimRoundingMode,
    ).padInfo;
    return tf.tidy(() => {
      const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
      const fullPads: Pads = { top: fh - 1 - pads.top, bottom: fh - 1 - pads.bottom, left: fw - 1 - pads.left, right: fw - 1 - pads.right };
      return tf.conv2d(dy, flipped, 1, explicit(fullPads));
    });
  };
}

let registered = false;

/** Installs both kernels for backendName 'wasm' (idempotent). Call before the WASM backend runs any gradient. */
export function registerWasmConvGradients(): void {
  if (registered) return;
  registered = true;
  const originalInput = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
  if (originalInput !== undefined) {
    tf.unregisterKernel(tf.Conv2DBackpropInput, 'wasm');
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropInput,
      backendName: 'wasm',
      kernelFunc: makeConv2dBackpropInput(originalInput.kernelFunc) as unknown as tf.KernelFunc,
      // The original's setup (binding its WASM routine) must still run when the backend initialises.
      setupFunc: originalInput.setupFunc,
    });
  }
  if (tf.getKernel(tf.Conv2DBackpropFilter, 'wasm') !== undefined) tf.unregisterKernel(tf.Conv2DBackpropFilter, 'wasm');
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
  });
}
