// Conv2DBackpropFilter for the tfjs WebGPU backend as an implicit GEMM split over batch x height x width (behind kernelFlags.ts).
import * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { webGpuKernelFlags } from './kernelFlags.ts';
import type { KernelArgs } from '../kernelArgs.ts';
import type { WebGpuProgramRunner } from './programTypes.ts';

/*
 * dW[kh,kw,ci,co] = sum over rows r=(b,y,x) of x[b, y*s+kh-padTop, x*s+kw-padLeft, ci] * dy[b,y,x,co]:
 * a GEMM of (K = fh*fw*ci) x (M = B*Ho*Wo) by M x co where the x operand is gathered on the fly.
 * Pass 1 gives each workgroup a TILE x TILE block of (K x co) and one chunk of the M rows (split-K),
 * staging x and dy tiles in workgroup memory; pass 2 sums the partials over the split axis in order.
 */
const SPLIT_K = {
  /** Side of the square (K x co) output tile one workgroup owns, and rows staged per step. */
  tile: 16,
  /** Rows of the reduction one split aims to cover. */
  targetRowsPerSplit: 512,
  /** Most partial results kept (memory: splits * K * co floats). */
  maxSplits: 32,
  /** Most partial values held at once (64 MB): large filters split less (they have workgroups enough without). */
  maxPartialValues: 1 << 24,
} as const;

/** The reduction chunking for `rows` rows of a dW of `filterValues` values: splits * tilesPerSplit * tile >= rows. */
export function splitKPlan(rows: number, filterValues: number): { splits: number; tilesPerSplit: number } {
  const byMemory = Math.max(1, Math.floor(SPLIT_K.maxPartialValues / filterValues));
  const wanted = Math.min(SPLIT_K.maxSplits, byMemory, Math.max(1, Math.ceil(rows / SPLIT_K.targetRowsPerSplit)));
  const tilesPerSplit = Math.max(1, Math.ceil(Math.ceil(rows / wanted) / SPLIT_K.tile));
  return { splits: Math.ceil(rows / (tilesPerSplit * SPLIT_K.tile)), tilesPerSplit };
}

function splitKProgram(splits: number, k: number, outChannels: number): WebGPUProgram {
  const t = SPLIT_K.tile;
  return {
    outputShape: [splits, k, outChannels],
    shaderKey: `conv2dBackpropFilterSplitK_${t}`,
    dispatchLayout: { x: [2], y: [1], z: [0] },
    dispatch: [Math.ceil(outChannels / t), Math.ceil(k / t), splits],
    variableNames: ['x', 'dy'],
    // Loop bounds come from uniforms only, so the barriers stay in uniform control flow.
    uniforms: 'filterDims : vec2<i32>, strides : vec2<i32>, pads : vec2<i32>, rows : i32, tilesPerSplit : i32,',
    workgroupSize: [t, t, 1],
    getUserCode: () => `
      var<workgroup> xTile : array<array<f32, ${t}>, ${t}>;
      var<workgroup> dyTile : array<array<f32, ${t}>, ${t}>;

      fn gatherX(row : i32, k : i32) -> f32 {
        let inChannels = uniforms.xShape[3];
        let kCount = uniforms.filterDims.x * uniforms.filterDims.y * inChannels;
        if (row >= uniforms.rows || k >= kCount) { return 0.0; }
        let outPixels = uniforms.dyShape[1] * uniforms.dyShape[2];
        let b = row / outPixels;
        let pixel = row % outPixels;
        let oy = pixel / uniforms.dyShape[2];
        let ox = pixel % uniforms.dyShape[2];
        let kh = k / (uniforms.filterDims.y * inChannels);
        let kw = (k / inChannels) % uniforms.filterDims.y;
        let c = k % inChannels;
        let iy = oy * uniforms.strides.x + kh - uniforms.pads.x;
        let ix = ox * uniforms.strides.y + kw - uniforms.pads.y;
        if (iy < 0 || iy >= uniforms.xShape[1] || ix < 0 || ix >= uniforms.xShape[2]) { return 0.0; }
        return x[((b * uniforms.xShape[1] + iy) * uniforms.xShape[2] + ix) * inChannels + c];
      }

      fn gatherDy(row : i32, co : i32) -> f32 {
        let outChannels = uniforms.dyShape[3];
        if (row >= uniforms.rows || co >= outChannels) { return 0.0; }
        return dy[row * outChannels + co];
      }

      // tfjs adds the @compute entry point that sets localId/workgroupId and calls main().
      fn main() {
        let lx = i32(localId.x);
        let ly = i32(localId.y);
        let coBase = i32(workgroupId.x) * ${t};
        let kBase = i32(workgroupId.y) * ${t};
        let split = i32(workgroupId.z);
        let firstRow = split * uniforms.tilesPerSplit * ${t};
        var acc = 0.0;
        for (var step = 0; step < uniforms.tilesPerSplit; step++) {
          let row = firstRow + step * ${t} + ly;
          xTile[ly][lx] = gatherX(row, kBase + lx);
          dyTile[ly][lx] = gatherDy(row, coBase + lx);
          workgroupBarrier();
          for (var r = 0; r < ${t}; r++) {
            acc = acc + xTile[r][ly] * dyTile[r][lx];
          }
          workgroupBarrier();
        }
        let k = kBase + ly;
        let co = coBase + lx;
        if (k < uniforms.outShape[1] && co < uniforms.outShape[2]) {
          result[(split * uniforms.outShape[1] + k) * uniforms.outShape[2] + co] = acc;
        }
      }
    `,
  };
}

function stridesOf(strides: [number, number] | number): [number, number] {
  return typeof strides === 'number' ? [strides, strides] : strides;
}

function makeSplitKBackpropFilter(stock: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const x = args.inputs.x;
    const dy = args.inputs.dy;
    if (!webGpuKernelFlags().conv2dBackpropFilterSplitK || attrs.dataFormat !== 'NHWC' || x === undefined || dy === undefined
      || x.shape.length !== 4 || dy.shape.length !== 4 || x.dtype !== 'float32') {
      return stock(args);
    }
    const [fh, fw, inChannels, outChannels] = attrs.filterShape;
    const strides = stridesOf(attrs.strides);
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, strides, 1,
      attrs.pad, attrs.dimRoundingMode);
    const rows = dy.shape[0] * dy.shape[1] * dy.shape[2];
    const k = fh * fw * inChannels;
    const plan = splitKPlan(rows, k * outChannels);
    const backend = args.backend as unknown as WebGpuProgramRunner;
    const partialsInfo = backend.runWebGPUProgram(splitKProgram(plan.splits, k, outChannels), [x, dy], 'float32', [
      { type: 'int32', data: [fh, fw] },
      { type: 'int32', data: strides },
      { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32', data: [rows] },
      { type: 'int32', data: [plan.tilesPerSplit] },
    ]);
    const partials = tf.engine().makeTensorFromTensorInfo(partialsInfo, args.backend);
    const dw = tf.tidy(() => tf.reshape(tf.sum(partials, 0), [fh, fw, inChannels, outChannels]));
    partials.dispose();
    return dw;
  };
}

let registered = false;

/**
 * Puts the split-K kernel in front of the webgpu backend's own Conv2DBackpropFilter, which stays the
 * fallback (flag off, not NHWC). Call after the webgpu backend is imported; later calls do nothing.
 */
export function registerWebGpuConv2dBackpropFilter(): void {
  if (registered) return;
  const stock = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
  if (stock === undefined) return;
  registered = true;
  tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'webgpu', kernelFunc: makeSplitKBackpropFilter(stock.kernelFunc) as unknown as tf.KernelFunc });
}
