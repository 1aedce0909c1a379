// Fast Slice, SplitV, Unpack and Concat for the tfjs WASM backend (its JS versions copy one innermost row per call), and copy-free Identity and Cast.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelInput, type KernelArgs } from './kernelArgs.ts';

/*
 * tfjs-backend-wasm 4.22 implements these four kernels in JavaScript with a `set(subarray())` per
 * innermost row (and a generic per-element path for rank 5+). Channel-axis slices of NHWC tensors
 * (gradients of skip-connection concats, splits of the time-embedding scale/shift) then cost ~100 ns
 * per pixel, which made them a third of a U-Net training step. These replacements copy the same
 * contiguous runs with plain loops (memcpy-style set() only for long runs); same results, any rank.
 */

type Heap = Float32Array | Int32Array | Uint8Array;

/** Runs longer than this use TypedArray.set (a memcpy); shorter ones a loop, which avoids the per-call cost. */
const SET_THRESHOLD = 64;

function copyRun(src: Heap, from: number, dst: Heap, to: number, length: number): void {
  if (length > SET_THRESHOLD) {
    dst.set(src.subarray(from, from + length), to);
    return;
  }
  for (let i = 0; i < length; i++) dst[to + i] = src[from + i];
}

function input(args: KernelArgs, name: string): tf.TensorInfo {
  return kernelInput(args, name, 'wasm copy kernel');
}

function heap(backend: BackendWasm, t: tf.TensorInfo): Heap {
  return backend.typedArrayFromHeap(t) as Heap;
}

function product(values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

/** Copies the box begin/size of x (shape) into a new output tensor. */
function sliceBox(backend: BackendWasm, x: tf.TensorInfo, begin: readonly number[], size: readonly number[]): tf.TensorInfo {
  const out = backend.makeOutput([...size], x.dtype);
  if (product(size) === 0) return out;
  // Views after makeOutput: a heap growth detaches older ones.
  const src = heap(backend, x);
  const dst = heap(backend, out);
  const shape = x.shape;
  const rank = shape.length;
  // Trailing dims taken whole merge into one run with the last partial dim.
  let last = rank - 1;
  while (last > 0 && size[last] === shape[last] && begin[last] === 0) last--;
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  const run = size[last] * strides[last];
  const counter = new Array<number>(last).fill(0);
  let to = 0;
  for (;;) {
    let from = begin[last] * strides[last];
    for (let d = 0; d < last; d++) from += (begin[d] + counter[d]) * strides[d];
    copyRun(src, from, dst, to, run);
    to += run;
    let d = last - 1;
    while (d >= 0 && ++counter[d] === size[d]) counter[d--] = 0;
    if (d < 0) break;
  }
  return out;
}

function fallback(kernelName: string): tf.KernelFunc {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original === undefined) throw new Error(`wasm kernel ${kernelName} is not registered`);
  return original.kernelFunc;
}

function makeSlice(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const x = input(args, 'x');
    if (x.dtype === 'string') return original(args);
    const attrs = args.attrs as unknown as tf.SliceAttrs;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    return sliceBox(args.backend as BackendWasm, x, begin, size);
  };
}

function makeSplitV(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const x = input(args, 'x');
    if (x.dtype === 'string') return original(args);
    const attrs = args.attrs as unknown as tf.SplitVAttrs;
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const part = sliceBox(args.backend as BackendWasm, x, begin, size);
      begin[axis] += s;
      return part;
    });
  };
}

function makeUnpack(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const value = input(args, 'value');
    if (value.dtype === 'string') return original(args);
    const attrs = args.attrs as unknown as tf.UnpackAttrs;
    const axis = attrs.axis < 0 ? attrs.axis + value.shape.length : attrs.axis;
    const outShape = value.shape.filter((_, d) => d !== axis);
    const begin = new Array<number>(value.shape.length).fill(0);
    const size = [...value.shape];
    size[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < value.shape[axis]; i++) {
      begin[axis] = i;
      const part = sliceBox(args.backend as BackendWasm, value, begin, size);
      outs.push({ dataId: part.dataId, dtype: part.dtype, shape: outShape });
    }
    return outs;
  };
}

function makeConcat(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const inputs = Object.values(args.inputs).filter((t): t is tf.TensorInfo => t !== undefined && product(t.shape) > 0);
    if (inputs.length < 2 || inputs[0].dtype === 'string') return original(args);
    const backend = args.backend as BackendWasm;
    const axis = tf.util.parseAxisParam((args.attrs as unknown as tf.ConcatAttrs).axis, inputs[0].shape)[0];
    const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis);
    const out = backend.makeOutput(outShape, inputs[0].dtype);
    const dst = heap(backend, out);
    const srcs = inputs.map((t) => heap(backend, t));
    const outer = product(outShape.slice(0, axis));
    const inner = inputs.map((t) => product(t.shape.slice(axis)));
    let to = 0;
    for (let b = 0; b < outer; b++) {
      for (let i = 0; i < srcs.length; i++) {
        copyRun(srcs[i], b * inner[i], dst, to, inner[i]);
        to += inner[i];
      }
    }
    return out;
  };
}

/**
 * Identity, and Cast to the same dtype (the gradients of Multiply cast their operands), share the
 * input's data as the CPU backend does; the WASM versions copy the whole tensor each time.
 */
function makeShared(original: tf.KernelFunc, inputName: string) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const x = input(args, inputName);
    const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype ?? x.dtype;
    if (x.dtype === 'string' || dtype !== x.dtype) return original(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

let registered = false;

/** Replaces the six WASM kernels (idempotent); each keeps its original for string tensors. */
export function registerWasmCopyKernels(): void {
  if (registered) return;
  registered = true;
  const replacements: Array<[string, (original: tf.KernelFunc) => (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]]> = [
    [tf.Slice, makeSlice],
    [tf.SplitV, makeSplitV],
    [tf.Unpack, makeUnpack],
    [tf.Concat, makeConcat],
    [tf.Identity, (original) => makeShared(original, 'x')],
    [tf.Cast, (original) => makeShared(original, 'x')],
  ];
  for (const [name, make] of replacements) {
    const config = tf.getKernel(name, 'wasm');
    if (config === undefined) continue;
    const original = fallback(name);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: make(original) as unknown as tf.KernelFunc, setupFunc: config.setupFunc });
  }
}
