// Fast conv2d gradient kernels for the tfjs WASM backend: 4.22 lacks Conv2DBackpropFilter and its Conv2DBackpropInput is a naive loop.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelArgs } from './kernelArgs.ts';
import { pointwiseFilterGradient, winogradFilterGradient, winogradFilterGradientGeometry } from './wasmWinogradConv.ts';

/*
 * Both gradients are rewritten as operations that the WASM backend runs through XNNPACK (30-40x
 * faster here than its backprop loops), or, for the filter gradient where the channels are multiples of 4,
 * in the engine's own WebAssembly SIMD (wasmWinogradConv.ts): Winograd F(4x4, 3x3) for 3x3 stride 1, and
 * one x^T dy product on the tensors as they lie for unpadded 1x1 stride 1. The data gradient's conv2d below
 * reaches Winograd through the Conv2D kernel.
 *
 * Otherwise, the filter gradient of a stride-1 convolution, one plain GEMM per filter tap (kh, kw) on the padded grid:
 * flatten x padded to xpad [N*Hp*Wp, Cin] and put dy in the same frame (zero where h >= Ho or w >= Wo),
 * dyGrid [N*Hp*Wp, Cout]. Output pixel p = (n, i, j) reads xpad row p + kh*Wp + kw for tap (kh, kw), so
 *   dW[kh, kw] = xpad[off : off + R]^T  x  dyGrid[0 : R],   off = kh*Wp + kw,
 * where the zeros of dyGrid drop the terms that would wrap across a row or an image, and R (the grid
 * row of dy's last pixel, plus one) keeps every slice inside xpad. xpad is transposed once to
 * [Cin, grid] so each tap's operand is a plain slice, and dyGrid is the same right-hand operand for
 * all taps, which XNNPACK then packs once. The older formulation is a single conv2d of x as
 * [Cin, H, W, N] with dy as the filter [Ho, Wo, N, Cout] (dilated by the stride), whose GEMM sees only
 * N (the micro-batch) channels per filter tap. bench/convGradients.bench.ts (at d387166) timed both at the U-Nets'
 * shapes (2-core EPYC, CPU time; its header has the numbers): the taps are 1.2-1.65x faster for 3x3
 * filters with Cin*Cout >= 32*32 (the small U-Net's 32-128 channels, micro-batch 2 to 8), but within
 * noise or up to 1.6x slower below (the tiny U-Net's 8-16 channels, where their ~25 op calls outweigh
 * the GEMMs) and mixed for 1x1 filters. Splitting the contraction into L2-sized chunks was slower still.
 * So the taps serve stride-1 filters larger than 1x1 with Cin*Cout >= 32*32; the rest keeps the conv2d.
 *
 * Data gradient of a stride-1 convolution: dx = conv2d(dy, W flipped in space with in/out swapped,
 * padding k-1-p). The flipped filter is one JS pass over the filter (at most 3*3*128*128 floats here),
 * cheaper than tfjs' Reverse + Transpose (about 1 ms per call for a small filter). Strided data
 * gradients (unused by the engine) fall back to the backend's own kernel.
 */

interface Pads { top: number; bottom: number; left: number; right: number }

/** The filter gradient uses the per-tap GEMMs from this Cin*Cout up (see the measurements above). */
const TAPS_MIN_CHANNEL_PRODUCT = 32 * 32;

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

/** dW of a stride-1 convolution as one GEMM per filter tap (see the comment at the top). */
function filterGradientByTaps(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], p: Pads): tf.Tensor4D {
  const [n, h, w, cin] = x.shape;
  const [, outH, outW, cout] = dy.shape;
  const [fh, fw] = filterShape;
  const paddedH = h + p.top + p.bottom;
  const paddedW = w + p.left + p.right;
  const grid = n * paddedH * paddedW;
  // Grid row of dy's last pixel, plus one: the rows each tap contracts, so the furthest tap ends at xpad's last row.
  const rows = grid - (fh - 1) * paddedW - (fw - 1);
  return tf.tidy(() => {
    // Inner tidies free the padded copies as soon as their products exist.
    const xByChannel = tf.tidy(() => tf.transpose(tf.reshape(tf.pad(x, explicit(p)), [grid, cin])) as tf.Tensor2D);
    const dyRows = tf.tidy(() => {
      const dyOnGrid = tf.reshape(tf.pad(dy, [[0, 0], [0, paddedH - outH], [0, paddedW - outW], [0, 0]]), [grid, cout]);
      return rows === grid ? (dyOnGrid as tf.Tensor2D) : (tf.slice(dyOnGrid, [0, 0], [rows, cout]) as tf.Tensor2D);
    });
    const taps: tf.Tensor2D[] = [];
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const shifted = tf.slice(xByChannel, [0, kh * paddedW + kw], [cin, rows]);
        taps.push(tf.matMul(shifted, dyRows));
        // Each shifted copy is as large as x: one at a time keeps the peak near twice x plus dy, not fh*fw times x.
        shifted.dispose();
      }
    }
    return tf.reshape(tf.stack(taps), [fh, fw, cin, cout]) as tf.Tensor4D;
  });
}

/** dW as one conv2d whose filter is dy: strided convolutions, 1x1 filters and few channels (see the comment at the top). */
function filterGradientAsConv(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], p: Pads, strides: [number, number]): tf.Tensor4D {
  const [fh, fw] = filterShape;
  return tf.tidy(() => {
    const xAsBatchOfChannels = tf.transpose(x, [3, 1, 2, 0]);
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]);
    // A forward stride s samples the input every s pixels: the same as dilating dy by s here.
    const full = tf.conv2d(xAsBatchOfChannels, dyAsFilter, 1, explicit(p), 'NHWC', strides);
    const dwChannelsFirst = full.shape[1] === fh && full.shape[2] === fw ? full : tf.slice(full, [0, 0, 0, 0], [-1, fh, fw, -1]);
    return tf.transpose(dwChannelsFirst, [1, 2, 0, 3]);
  });
}

function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const x = asTensor4D(args.inputs.x, 'x');
  const dy = asTensor4D(args.inputs.dy, 'dy');
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${attrs.dataFormat}`);
  const winograd = winogradFilterGradientGeometry(args.backend, x, attrs);
  if (winograd !== null) return winogradFilterGradient(args.backend as BackendWasm, x, dy, winograd);
  const strides = stridesOf(attrs.strides);
  const pads = tf.backend_util.computeConv2DInfo(x.shape, attrs.filterShape, strides, 1, attrs.pad, attrs.dimRoundingMode).padInfo;
  const [fh, fw, cin, cout] = attrs.filterShape;
  const pointwise = fh === 1 && fw === 1 && strides[0] === 1 && strides[1] === 1 && pads.top + pads.bottom + pads.left + pads.right === 0;
  const dw = pointwise ? pointwiseFilterGradient(args.backend as BackendWasm, x, dy) : null;
  if (dw !== null) return dw;
  const byTaps = strides[0] === 1 && strides[1] === 1 && fh * fw > 1 && cin * cout >= TAPS_MIN_CHANNEL_PRODUCT;
  return byTaps
    ? filterGradientByTaps(x, dy, attrs.filterShape, pads)
    : filterGradientAsConv(x, dy, attrs.filterShape, pads, strides);
}

/** W [fh, fw, cin, cout] flipped in both spatial axes with in/out swapped: [fh, fw, cout, cin]. */
function flippedSwapped(backend: BackendWasm, filter: tf.Tensor4D): tf.Tensor4D {
  const [fh, fw, cin, cout] = filter.shape;
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const out = new Float32Array(src.length);
  const tap = cin * cout;
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      const from = (kh * fw + kw) * tap;
      const to = ((fh - 1 - kh) * fw + (fw - 1 - kw)) * tap;
      for (let ci = 0; ci < cin; ci++) {
        for (let co = 0; co < cout; co++) out[to + co * cin + ci] = src[from + ci * cout + co];
      }
    }
  }
  return tf.tensor4d(out, [fh, fw, cout, cin]);
}

function makeConv2dBackpropInput(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const dy = asTensor4D(args.inputs.dy, 'dy');
    const filter = asTensor4D(args.inputs.filter, 'filter');
    const [fh, fw] = filter.shape;
    const strides = stridesOf(attrs.strides);
    if (attrs.dataFormat !== 'NHWC' || strides[0] !== 1 || strides[1] !== 1 || filter.dtype !== 'float32') return original(args);
    const pads = tf.backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape, strides, 1, attrs.pad, attrs.dimRoundingMode,
    ).padInfo;
    return tf.tidy(() => {
      const flipped = flippedSwapped(args.backend as BackendWasm, filter);
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
