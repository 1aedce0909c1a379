// The fused GroupNorm kernels (wasmGroupNorm.ts names them) on WebGPU: a few shader passes each way instead of tfjs's chain of about 16 full-size ops.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { GROUP_NORM_GRAD_KERNEL, GROUP_NORM_KERNEL } from '../wasmGroupNorm.ts';
import { kernelInput, type KernelArgs } from '../kernelArgs.ts';
import type { WebGpuProgramRunner } from './programTypes.ts';

/*
 * Per (sample, group), one workgroup reduces over the group's pixels and channels: the mean, then the variance
 * around it (two passes: float32 E[x^2] - mean^2 cancels), rstd = 1 / sqrt(var + eps), and for the gradient
 * s1 = sum(dy * gamma) and s2 = sum(dy * gamma * xhat). Then elementwise passes:
 *   y = (x - mean) * rstd * gamma + beta;   dx = rstd * (dy * gamma - s1 / m - xhat * s2 / m);
 * and per channel, one workgroup over samples and pixels: dgamma = sum(dy * xhat), dbeta = sum(dy).
 */

/** Threads of a reducing workgroup (a power of two: the tree reduction halves it). */
const REDUCE_THREADS = 64;
/** WebGPU's guaranteed limit on workgroups along one dispatch dimension. */
const MAX_WORKGROUPS_PER_DIMENSION = 65535;
const ELEMENTWISE_THREADS = 64;

/** NHWC x as samples, pixels, channels, checked against the groups. */
interface GroupNormShape {
  samples: number;
  pixels: number;
  channels: number;
  groups: number;
}

const SHAPE_UNIFORMS = 'pixels : i32, channels : i32, groups : i32, perGroup : i32,';

function shapeUniforms(shape: GroupNormShape): { type: string; data: number[] }[] {
  return [
    { type: 'int32', data: [shape.pixels] },
    { type: 'int32', data: [shape.channels] },
    { type: 'int32', data: [shape.groups] },
    { type: 'int32', data: [shape.channels / shape.groups] },
  ];
}

/** A workgroup-wide sum of two values per thread (every thread gets both sums). */
const WORKGROUP_SUM = `
  var<workgroup> fqlabSumA : array<f32, ${REDUCE_THREADS}>;
  var<workgroup> fqlabSumB : array<f32, ${REDUCE_THREADS}>;
  fn workgroupSum2(a : f32, b : f32) -> vec2<f32> {
    let t = i32(localId.x);
    fqlabSumA[t] = a;
    fqlabSumB[t] = b;
    workgroupBarrier();
    for (var stride = ${REDUCE_THREADS / 2}; stride > 0; stride = stride / 2) {
      if (t < stride) {
        fqlabSumA[t] = fqlabSumA[t] + fqlabSumA[t + stride];
        fqlabSumB[t] = fqlabSumB[t] + fqlabSumB[t + stride];
      }
      workgroupBarrier();
    }
    let sums = vec2<f32>(fqlabSumA[0], fqlabSumB[0]);
    workgroupBarrier();
    return sums;
  }`;

/** Flat index of element e of group g of sample s: e runs over (pixel, channel within the group). */
const GROUP_ELEMENT = `
  fn groupElement(s : i32, g : i32, e : i32) -> i32 {
    let pixel = e / uniforms.perGroup;
    return (s * uniforms.pixels + pixel) * uniforms.channels + g * uniforms.perGroup + e % uniforms.perGroup;
  }`;

/** Per (sample, group): mean and rstd, and with the gradient's inputs s1 and s2; output [samples * groups * (2 | 4)]. */
class GroupStatsProgram implements WebGPUProgram {
  readonly variableNames: string[];
  readonly uniforms = `${SHAPE_UNIFORMS} eps : f32,`;
  readonly workgroupSize: [number, number, number] = [REDUCE_THREADS, 1, 1];
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    shape: GroupNormShape,
    private readonly withGradient: boolean,
  ) {
    this.variableNames = withGradient ? ['x', 'dy', 'gamma'] : ['x'];
    this.outputShape = [shape.samples * shape.groups * (withGradient ? 4 : 2)];
    this.dispatch = [shape.samples * shape.groups, 1, 1];
    this.shaderKey = `fqlabGroupStats_${withGradient}`;
  }

  getUserCode(): string {
    const stride = this.withGradient ? 4 : 2;
    return `
  ${WORKGROUP_SUM}
  ${GROUP_ELEMENT}
  fn main(index : i32) {
    let sg = i32(workgroupId.x);
    let s = sg / uniforms.groups;
    let g = sg % uniforms.groups;
    let t = i32(localId.x);
    let count = uniforms.pixels * uniforms.perGroup;
    var sum = 0.0;
    for (var e = t; e < count; e = e + ${REDUCE_THREADS}) {
      sum = sum + x[groupElement(s, g, e)];
    }
    let mean = workgroupSum2(sum, 0.0).x / f32(count);
    var squares = 0.0;
    for (var e = t; e < count; e = e + ${REDUCE_THREADS}) {
      let d = x[groupElement(s, g, e)] - mean;
      squares = squares + d * d;
    }
    let rstd = inverseSqrt(workgroupSum2(squares, 0.0).x / f32(count) + uniforms.eps);
    ${
      this.withGradient
        ? `var s1 = 0.0;
    var s2 = 0.0;
    for (var e = t; e < count; e = e + ${REDUCE_THREADS}) {
      let at = groupElement(s, g, e);
      let gy = dy[at] * gamma[at % uniforms.channels];
      s1 = s1 + gy;
      s2 = s2 + gy * (x[at] - mean) * rstd;
    }
    let sums = workgroupSum2(s1, s2);`
        : ''
    }
    if (t == 0) {
      setOutputAtIndex(sg * ${stride}, mean);
      setOutputAtIndex(sg * ${stride} + 1, rstd);
      ${this.withGradient ? `setOutputAtIndex(sg * 4 + 2, sums.x);\n      setOutputAtIndex(sg * 4 + 3, sums.y);` : ''}
    }
  }`;
  }
}

/** Workgroups for n elementwise threads: flat while WebGPU allows, else a square (the shader skips the excess). */
function elementwiseDispatch(n: number): [number, number, number] {
  const groups = Math.ceil(n / ELEMENTWISE_THREADS);
  if (groups <= MAX_WORKGROUPS_PER_DIMENSION) return [groups, 1, 1];
  const side = Math.ceil(Math.sqrt(groups));
  return [side, side, 1];
}

/** y = (x - mean) * rstd * gamma + beta, or dx from the gradient's statistics; output shaped like x. */
class GroupNormElementwiseProgram implements WebGPUProgram {
  readonly variableNames: string[];
  readonly uniforms = SHAPE_UNIFORMS;
  readonly workgroupSize: [number, number, number] = [ELEMENTWISE_THREADS, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    xShape: number[],
    private readonly pass: 'forward' | 'dx',
  ) {
    this.variableNames = pass === 'forward' ? ['x', 'stats', 'gamma', 'beta'] : ['x', 'dy', 'gamma', 'stats'];
    this.outputShape = xShape;
    this.dispatchLayout = { x: xShape.map((_, i) => i) };
    this.dispatch = elementwiseDispatch(xShape.reduce((a, b) => a * b, 1));
    this.shaderKey = `fqlabGroupNorm_${pass}`;
  }

  getUserCode(): string {
    const stride = this.pass === 'forward' ? 2 : 4;
    const value =
      this.pass === 'forward'
        ? '(x[index] - mean) * rstd * gamma[ch] + beta[ch]'
        : 'rstd * (dy[index] * gamma[ch] - stats[at + 2] / m - (x[index] - mean) * rstd * stats[at + 3] / m)';
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let ch = index % uniforms.channels;
      let s = index / (uniforms.pixels * uniforms.channels);
      let at = (s * uniforms.groups + ch / uniforms.perGroup) * ${stride};
      let mean = stats[at];
      let rstd = stats[at + 1];
      let m = f32(uniforms.pixels * uniforms.perGroup);
      setOutputAtIndex(index, ${value});
    }
  }`;
  }
}

/** Per channel, over samples and pixels: dgamma = sum(dy * xhat) at [ch], dbeta = sum(dy) at [channels + ch]. */
class ChannelGradProgram implements WebGPUProgram {
  readonly variableNames = ['x', 'dy', 'stats'];
  readonly uniforms = `${SHAPE_UNIFORMS} samples : i32,`;
  readonly workgroupSize: [number, number, number] = [REDUCE_THREADS, 1, 1];
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number];
  readonly shaderKey = 'fqlabGroupNormChannelGrad';

  constructor(shape: GroupNormShape) {
    this.outputShape = [2 * shape.channels];
    this.dispatch = [shape.channels, 1, 1];
  }

  getUserCode(): string {
    return `
  ${WORKGROUP_SUM}
  fn main(index : i32) {
    let ch = i32(workgroupId.x);
    let t = i32(localId.x);
    let g = ch / uniforms.perGroup;
    var dgamma = 0.0;
    var dbeta = 0.0;
    for (var e = t; e < uniforms.samples * uniforms.pixels; e = e + ${REDUCE_THREADS}) {
      let s = e / uniforms.pixels;
      let at = e * uniforms.channels + ch;
      let stat = (s * uniforms.groups + g) * 4;
      dgamma = dgamma + dy[at] * (x[at] - stats[stat]) * stats[stat + 1];
      dbeta = dbeta + dy[at];
    }
    let sums = workgroupSum2(dgamma, dbeta);
    if (t == 0) {
      setOutputAtIndex(ch, sums.x);
      setOutputAtIndex(uniforms.channels + ch, sums.y);
    }
  }`;
  }
}

function input(args: KernelArgs, name: string): tf.TensorInfo {
  return kernelInput(args, name, 'GroupNorm kernel (webgpu)');
}

function groupNormShape(x: tf.TensorInfo, groups: number): GroupNormShape {
  if (x.shape.length !== 4) throw new Error(`GroupNorm kernel (webgpu): x must be NHWC (rank 4), got shape [${x.shape}]`);
  const [samples, h, w, channels] = x.shape;
  if (channels % groups !== 0) throw new Error(`GroupNorm kernel (webgpu): ${channels} channels do not split into ${groups} groups`);
  return { samples, pixels: h * w, channels, groups };
}

function attrsOf(args: KernelArgs): { groups: number; eps: number } {
  return args.attrs as unknown as { groups: number; eps: number };
}

function groupNormForward(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as unknown as WebGpuProgramRunner;
  const { groups, eps } = attrsOf(args);
  const x = input(args, 'x');
  const shape = groupNormShape(x, groups);
  const uniforms = shapeUniforms(shape);
  const stats = backend.runWebGPUProgram(new GroupStatsProgram(shape, false), [x], 'float32', [...uniforms, { type: 'float32', data: [eps] }]);
  const y = backend.runWebGPUProgram(new GroupNormElementwiseProgram([...x.shape], 'forward'), [x, stats, input(args, 'gamma'), input(args, 'beta')], 'float32', uniforms);
  backend.disposeData(stats.dataId);
  return y;
}

function groupNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as unknown as WebGpuProgramRunner;
  const { groups, eps } = attrsOf(args);
  const x = input(args, 'x');
  const dy = input(args, 'dy');
  const gamma = input(args, 'gamma');
  const shape = groupNormShape(x, groups);
  const uniforms = shapeUniforms(shape);
  const stats = backend.runWebGPUProgram(new GroupStatsProgram(shape, true), [x, dy, gamma], 'float32', [...uniforms, { type: 'float32', data: [eps] }]);
  const dx = backend.runWebGPUProgram(new GroupNormElementwiseProgram([...x.shape], 'dx'), [x, dy, gamma, stats], 'float32', uniforms);
  const channelGrads = backend.runWebGPUProgram(new ChannelGradProgram(shape), [x, dy, stats], 'float32', [...uniforms, { type: 'int32', data: [shape.samples] }]);
  backend.disposeData(stats.dataId);
  const both = tf.engine().makeTensorFromTensorInfo(channelGrads);
  const [dgamma, dbeta] = tf.tidy(() => tf.split(both, 2).map((part) => tf.reshape(part, gamma.shape)));
  both.dispose();
  return [dx, dgamma, dbeta];
}

let registered = false;

/** Registers the fused GroupNorm kernels for 'webgpu' (the gradient is registered with the WASM ones); once. */
export function registerWebGpuGroupNorm(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: GROUP_NORM_KERNEL, backendName: 'webgpu', kernelFunc: groupNormForward as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: GROUP_NORM_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: groupNormGrad as unknown as tf.KernelFunc });
}
