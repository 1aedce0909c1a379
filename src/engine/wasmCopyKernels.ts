// Fast Slice, SplitV, Unpack and Concat for the tfjs WASM backend (its JS versions copy one innermost row per call), and copy-free Identity and Cast.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelInput, type KernelArgs } from './kernelArgs.ts';
import { COPY_SHARED_WASM_BASE64, COPY_WASM_BASE64 } from './wasm/copyWasm.ts';
import { linkedExports, tensorOffset, type KernelModuleBytes } from './wasmLinkedModule.ts';

/*
 * tfjs-backend-wasm 4.22 implements these four kernels in JavaScript with a `set(subarray())` per
 * innermost row (and a generic per-element path for rank 5+). Channel-axis slices of NHWC tensors
 * (gradients of skip-connection concats, splits of the time-embedding scale/shift) then cost ~100 ns
 * per pixel, which made them a third of a U-Net training step. These replacements plan the same
 * contiguous runs as strided sequences and copy each sequence in one call into a SIMD module
 * (wasm/copy.as.ts; a JS loop where it cannot link); same results, any rank.
 */

type Heap = Float32Array | Int32Array | Uint8Array;

/** The export of wasm/copy.as.ts (byte offsets into tfjs's memory). */
interface RunCopier {
  copyRuns(src: number, srcStride: number, dst: number, dstStride: number, runBytes: number, count: number): void;
}

const COPY_MODULE: KernelModuleBytes = { unsharedBase64: COPY_WASM_BASE64, sharedBase64: COPY_SHARED_WASM_BASE64 };

/** Runs longer than this use TypedArray.set (a memcpy) in the JS fallback; shorter ones a loop, which avoids the per-call cost. */
const SET_THRESHOLD = 64;

/**
 * `count` runs of `run` elements, run r from src[from + r * srcStride] to dst[to + r * dstStride]: one call into the
 * SIMD module where it links to tfjs's memory, else per run in JS (same bytes either way).
 */
function copyRuns(backend: BackendWasm, x: tf.TensorInfo, from: number, srcStride: number, out: tf.TensorInfo, to: number, dstStride: number, run: number, count: number): void {
  const copier = linkedExports<RunCopier>(backend, COPY_MODULE);
  if (copier !== null) {
    const bytes = tf.util.bytesPerElement(x.dtype);
    copier.copyRuns(tensorOffset(backend, x) + from * bytes, srcStride * bytes, tensorOffset(backend, out) + to * bytes, dstStride * bytes, run * bytes, count);
    return;
  }
  // Views after makeOutput: a heap growth detaches older ones.
  const src = backend.typedArrayFromHeap(x) as Heap;
  const dst = backend.typedArrayFromHeap(out) as Heap;
  for (let r = 0; r < count; r++) {
    const a = from + r * srcStride;
    const b = to + r * dstStride;
    if (run > SET_THRESHOLD) dst.set(src.subarray(a, a + run), b);
    else for (let i = 0; i < run; i++) dst[b + i] = src[a + i];
  }
}

function input(args: KernelArgs, name: string): tf.TensorInfo {
  return kernelInput(args, name, 'wasm copy kernel');
}

function product(values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

/** Copies the box begin/size of x (shape) into a new output tensor. */
function sliceBox(backend: BackendWasm, x: tf.TensorInfo, begin: readonly number[], size: readonly number[]): tf.TensorInfo {
  const out = backend.makeOutput([...size], x.dtype);
  if (product(size) === 0) return out;
  const shape = x.shape;
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  // Trailing dims taken whole merge into one contiguous run with the last partial dim.
  let last = rank - 1;
  while (last > 0 && size[last] === shape[last] && begin[last] === 0) last--;
  const run = size[last] * strides[last];
  // The dims above the run (outermost first), a dim taken whole merged into the one above it.
  const outer: Array<{ size: number; stride: number }> = [];
  for (let d = 0; d < last; d++) {
    const whole = size[d] === shape[d] && begin[d] === 0;
    const above = outer.at(-1);
    if (whole && above !== undefined) outer[outer.length - 1] = { size: above.size * size[d], stride: strides[d] };
    else outer.push({ size: size[d], stride: strides[d] });
  }
  let base = 0;
  for (let d = 0; d <= last; d++) base += begin[d] * strides[d];
  // The innermost outer dim goes to copyRuns as its count; the others are walked here.
  const inner = outer.pop() ?? { size: 1, stride: run };
  const counter = new Array<number>(outer.length).fill(0);
  let to = 0;
  for (;;) {
    let from = base;
    for (let d = 0; d < outer.length; d++) from += counter[d] * outer[d].stride;
    copyRuns(backend, x, from, inner.stride, out, to, run, run, inner.size);
    to += run * inner.size;
    let d = outer.length - 1;
    while (d >= 0 && ++counter[d] === outer[d].size) counter[d--] = 0;
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
    const outer = product(outShape.slice(0, axis));
    const inner = inputs.map((t) => product(t.shape.slice(axis)));
    const outInner = product(outShape.slice(axis));
    let to = 0;
    inputs.forEach((t, i) => {
      copyRuns(backend, t, 0, inner[i], out, to, outInner, inner[i], outer);
      to += inner[i];
    });
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
