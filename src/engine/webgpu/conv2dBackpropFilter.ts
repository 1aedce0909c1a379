// Conv2DBackpropFilter on WebGPU as a split-K implicit GEMM: tfjs's stock kernel gives each weight one thread that loops over batch x height x width alone.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { webGpuKernelFlags } from './kernelFlags.ts';

/*
 * dW[kh, kw, ci, co] = sum over (b, y, x) of xIn[b, y*sh + kh - padTop, x*sw + kw - padLeft, ci] * dy[b, y, x, co],
 * a GEMM of K = fh*fw*ci rows by co columns over R = b*ho*wo. Pass 1 cuts R into chunks and writes one partial dW
 * per chunk ([splits, K, co]); pass 2 sums the partials over the chunks (tf.sum: a fixed order, so runs repeat).
 */

/**
 * Reduction rows per chunk; the most chunks (more only adds partials to sum); and the most partial values held at
 * once (64 MB), which caps the chunks of large filters (they have threads enough without splitting).
 */
export const SPLIT_K = { rowsPerChunk: 512, maxChunks: 256, maxPartialValues: 1 << 24 } as const;

/** Threads per workgroup: one output element (chunk, k, co) each. */
const WORKGROUP_THREADS = 64;
/** WebGPU's guaranteed limit on workgroups along one dispatch dimension. */
const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** The part of tfjs's WebGPU backend this kernel calls. */
interface WebGpuProgramRunner {
  runWebGPUProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms: { type: string; data: number[] }[]): tf.TensorInfo;
}

/** Chunks of the reduction: R rows for a dW of `filterValues` values. */
export function splitCount(reductionRows: number, filterValues: number): number {
  const byRows = Math.ceil(reductionRows / SPLIT_K.rowsPerChunk);
  const byMemory = Math.floor(SPLIT_K.maxPartialValues / filterValues);
  return Math.max(1, Math.min(SPLIT_K.maxChunks, byRows, byMemory));
}

/** Workgroups for n threads: flat while WebGPU allows, else a square (the shader skips indices past the output). */
function dispatchFor(n: number): [number, number, number] {
  const groups = Math.ceil(n / WORKGROUP_THREADS);
  if (groups <= MAX_WORKGROUPS_PER_DIMENSION) return [groups, 1, 1];
  const side = Math.ceil(Math.sqrt(groups));
  return [side, side, 1];
}

/** Pass 1: partial dW of each chunk of (b, y, x), flat output [splits, K, co]. */
class SplitKFilterGradProgram implements WebGPUProgram {
  readonly variableNames = ['x', 'dy'];
  readonly uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, filterWidth : i32, inChannels : i32, outChannels : i32, outHeight : i32, outWidth : i32, inHeight : i32, inWidth : i32, rows : i32, rowsPerChunk : i32, kRows : i32,';
  readonly workgroupSize: [number, number, number] = [WORKGROUP_THREADS, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey = 'fqlabConv2DDerFilterSplitK';

  constructor(splits: number, kRows: number, outChannels: number) {
    this.outputShape = [splits, kRows, outChannels];
    this.dispatchLayout = { x: [0, 1, 2] };
    this.dispatch = dispatchFor(splits * kRows * outChannels);
  }

  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        let co = index % uniforms.outChannels;
        let k = (index / uniforms.outChannels) % uniforms.kRows;
        let chunk = index / (uniforms.outChannels * uniforms.kRows);
        let ci = k % uniforms.inChannels;
        let kw = (k / uniforms.inChannels) % uniforms.filterWidth;
        let kh = k / (uniforms.inChannels * uniforms.filterWidth);
        let first = chunk * uniforms.rowsPerChunk;
        let last = min(first + uniforms.rowsPerChunk, uniforms.rows);
        var sum = 0.0;
        for (var row = first; row < last; row = row + 1) {
          let xo = row % uniforms.outWidth;
          let yo = (row / uniforms.outWidth) % uniforms.outHeight;
          let b = row / (uniforms.outWidth * uniforms.outHeight);
          let yi = yo * uniforms.strides[0] + kh - uniforms.pads[0];
          let xi = xo * uniforms.strides[1] + kw - uniforms.pads[1];
          if (yi >= 0 && yi < uniforms.inHeight && xi >= 0 && xi < uniforms.inWidth) {
            sum = sum + getX(b, yi, xi, ci) * getDy(b, yo, xo, co);
          }
        }
        setOutputAtIndex(index, sum);
      }
    }`;
  }
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/** The split-K kernel, or null where it does not apply (then the stock kernel runs). */
function splitKFilterGrad(args: KernelArgs): tf.TensorInfo | null {
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  if (attrs.dataFormat !== 'NHWC' || x.shape.length !== 4 || x.dtype !== 'float32') return null;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const [fh, fw, ci, co] = attrs.filterShape;
  const kRows = fh * fw * ci;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const splits = splitCount(rows, kRows * co);
  const rowsPerChunk = Math.ceil(rows / splits);
  const backend = args.backend as unknown as WebGpuProgramRunner;
  const partials = backend.runWebGPUProgram(new SplitKFilterGradProgram(splits, kRows, co), [x, dy], 'float32', [
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [fw] },
    { type: 'int32', data: [ci] },
    { type: 'int32', data: [co] },
    { type: 'int32', data: [info.outHeight] },
    { type: 'int32', data: [info.outWidth] },
    { type: 'int32', data: [info.inHeight] },
    { type: 'int32', data: [info.inWidth] },
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [rowsPerChunk] },
    { type: 'int32', data: [kRows] },
  ]);
  // Pass 2 on tensors: a kernel returns a TensorInfo the engine tracks, so the intermediates are freed here.
  const partialTensor = tf.engine().makeTensorFromTensorInfo(partials);
  const summed = tf.tidy(() => tf.reshape(tf.sum(partialTensor, 0), [fh, fw, ci, co]));
  partialTensor.dispose();
  return summed;
}

let registered = false;

/**
 * Puts the split-K kernel in front of the stock Conv2DBackpropFilter on 'webgpu' (call after the backend is
 * imported). The flag is read on every call; off, or for a case it does not cover, the stock kernel runs.
 */
export function registerWebGpuConv2dBackpropFilter(): void {
  const stock = tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu');
  if (registered || stock === undefined) return;
  registered = true;
  tf.unregisterKernel(tf.Conv2DBackpropFilter, 'webgpu');
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const custom = webGpuKernelFlags().conv2dBackpropFilterSplitK ? splitKFilterGrad(args as KernelArgs) : null;
      return custom ?? stock.kernelFunc(args);
    },
  });
}
