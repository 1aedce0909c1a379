// GroupNorm, and GroupNorm + scale-shift + SiLU, as fused kernels with fused gradients on the tfjs WASM backend: WebAssembly
// SIMD passes (wasm/groupNorm.as.ts) that read and write the tensors in place in tfjs's own WASM memory.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { webGpuKernelFlags } from './webgpu/kernelFlags.ts';
import { kernelInput, type KernelArgs } from './kernelArgs.ts';
import { GROUP_NORM_SHARED_WASM_BASE64, GROUP_NORM_WASM_BASE64 } from './wasm/groupNormWasm.ts';
import { allocateScratch, backendMemory, freeScratch, linkedExports, tensorOffset, type KernelModuleBytes } from './wasmLinkedModule.ts';

/*
 * Per (sample, group): mean and rstd = 1 / sqrt(var + eps) from float64 sums of x and x^2 (var = E[x^2] - mean^2, exact
 * enough in float64 for float32 inputs), xhat = (x - mean) * rstd. Per (sample, channel) k = 1 + scale (k = 1, shift = 0
 * without scale-shift):
 *   FqlabGroupNorm:      y = xhat * gamma + beta
 *   FqlabGroupNormSilu, FqlabGroupNormScaleShiftSilu:  y = SiLU(z), z = (xhat * gamma + beta) * k + shift
 * Both run as z = xc * A + B with xc = x - mean per channel, A = rstd * gamma * k, B = beta * k + shift: two passes
 * (sums, then the affine). The gradient keeps the inputs (and the SiLU kernels' output, for sigmoid(z) = y / z): one pass
 * for the sums, one writing dz = dL/dz into dx and
 * summing dz and dz * xc, one turning dz into dx = P * dz + Q * xc + R in place, where (dxhat = dz * k * gamma, m = count)
 *   dx = rstd * (dxhat - sum(dxhat) / m - xhat * sum(dxhat * xhat) / m)   summed over the group,
 *   dgamma = sum(k * dz * xhat), dbeta = sum(k * dz)                    summed over samples and pixels,
 *   dscale = sum(dz * (xhat * gamma + beta)), dshift = sum(dz)           summed over pixels, per sample.
 */

export const GROUP_NORM_KERNEL = 'FqlabGroupNorm';
export const GROUP_NORM_GRAD_KERNEL = 'FqlabGroupNormGrad';
export const GROUP_NORM_SILU_KERNEL = 'FqlabGroupNormSilu';
export const GROUP_NORM_SCALE_SHIFT_SILU_KERNEL = 'FqlabGroupNormScaleShiftSilu';
/** The gradient of both SiLU kernels (scaleShift an input, and d(scaleShift) an output, of the second only). */
export const GROUP_NORM_SILU_GRAD_KERNEL = 'FqlabGroupNormSiluGrad';

interface GroupNormAttrs {
  groups: number;
  eps: number;
}

/** The exports of wasm/groupNorm.as.ts (pointers are byte offsets into tfjs's memory). */
interface GroupNormPasses {
  CONSTANTS_BYTES: WebAssembly.Global;
  storeConstants(at: number): void;
  laneSums(x: number, count: number, period: number, sums: number): void;
  affine(x: number, out: number, count: number, period: number, coefficients: number, silu: boolean, constants: number): void;
  gradientSums(x: number, y: number, dy: number, dz: number, count: number, period: number, coefficients: number, silu: boolean, constants: number, sums: number): void;
  gradientApply(x: number, dz: number, count: number, period: number, coefficients: number): void;
}

const GROUP_NORM_MODULE: KernelModuleBytes = { unsharedBase64: GROUP_NORM_WASM_BASE64, sharedBase64: GROUP_NORM_SHARED_WASM_BASE64 };

/** The SIMD passes on the active WASM backend's memory, or null where they cannot link (layers.ts then uses the op chain). */
function passesFor(backend: BackendWasm): GroupNormPasses | null {
  return linkedExports<GroupNormPasses>(backend, GROUP_NORM_MODULE);
}

function shape4(t: tf.TensorInfo, groups: number): [number, number, number] {
  if (t.shape.length !== 4) throw new Error(`GroupNorm kernel: x must be NHWC (rank 4), got shape [${t.shape}]`);
  const [n, h, w, c] = t.shape;
  if (c % groups !== 0) throw new Error(`GroupNorm kernel: ${c} channels do not split into ${groups} groups`);
  return [n, h * w, c];
}

function input(args: KernelArgs, name: string): tf.TensorInfo {
  return kernelInput(args, name, 'GroupNorm kernel');
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Scratch bytes per lane: two float64 sums, then five float32 coefficients. */
const SUM_BYTES_PER_LANE = 2 * 8;
const COEFFICIENT_BYTES_PER_LANE = 5 * 4;

/**
 * One kernel call's view of the memory: tensor offsets, and scratch from tfjs's allocator for the per-lane sums and
 * coefficients, then exp's constants. A lane is a position in a row of `period` floats, a multiple of 4 and of c.
 */
class Heap {
  readonly period: number;
  readonly sumsAt: number;
  readonly coefficientsAt: number;
  readonly constantsAt: number;

  constructor(private readonly backend: BackendWasm, readonly memory: WebAssembly.Memory, c: number, passes: GroupNormPasses) {
    this.period = (c * 4) / gcd(c, 4);
    const laneBytes = this.period * (SUM_BYTES_PER_LANE + COEFFICIENT_BYTES_PER_LANE);
    this.sumsAt = allocateScratch(backend, laneBytes + (passes.CONSTANTS_BYTES.value as number));
    this.coefficientsAt = this.sumsAt + this.period * SUM_BYTES_PER_LANE;
    this.constantsAt = this.sumsAt + laneBytes;
    passes.storeConstants(this.constantsAt);
  }

  offset(t: tf.TensorInfo): number {
    return tensorOffset(this.backend, t);
  }

  /** A float32 view of a tensor (taken after every allocation: growth replaces the buffer). */
  floats(t: tf.TensorInfo): Float32Array {
    return new Float32Array(this.memory.buffer, this.offset(t), tf.util.sizeFromShape(t.shape));
  }

  /** The lane sums folded to channels: [first sum per channel, second sum per channel]. */
  channelSums(c: number): [Float64Array, Float64Array] {
    const sums = new Float64Array(this.memory.buffer, this.sumsAt, 2 * this.period);
    const first = new Float64Array(c);
    const second = new Float64Array(c);
    for (let k = 0; k < this.period; k++) {
      first[k % c] += sums[k];
      second[k % c] += sums[this.period + k];
    }
    return [first, second];
  }

  /** Writes per-channel coefficient arrays, each repeated across the period's lanes, in order. */
  setCoefficients(perChannel: ArrayLike<number>[]): void {
    const out = new Float32Array(this.memory.buffer, this.coefficientsAt, perChannel.length * this.period);
    const c = perChannel[0].length;
    perChannel.forEach((values, i) => {
      for (let k = 0; k < this.period; k++) out[i * this.period + k] = values[k % c];
    });
  }

  free(): void {
    freeScratch(this.backend, this.sumsAt);
  }
}

/** Mean and rstd per group of one sample, from its channel sums of x and x^2. */
function groupStats(sumX: Float64Array, sumXX: Float64Array, pixels: number, groups: number, eps: number): { mean: Float64Array; rstd: Float64Array } {
  const per = sumX.length / groups;
  const count = pixels * per;
  const mean = new Float64Array(groups);
  const rstd = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    let sx = 0;
    let sxx = 0;
    for (let ch = g * per; ch < (g + 1) * per; ch++) {
      sx += sumX[ch];
      sxx += sumXX[ch];
    }
    mean[g] = sx / count;
    rstd[g] = 1 / Math.sqrt(Math.max(0, sxx / count - mean[g] * mean[g]) + eps);
  }
  return { mean, rstd };
}

/** Everything a pass needs about one sample: its channel means (split in two floats), A and B of z = xc * A + B, and k. */
interface SampleCoefficients {
  meanHigh: Float32Array;
  meanLow: Float32Array;
  a: Float64Array;
  b: Float64Array;
  k: Float64Array;
  rstd: Float64Array;
  groupOf: (ch: number) => number;
}

/**
 * The tensors of one GroupNorm call; scaleShift is [n, 2c] (scale then shift, guided-diffusion's chunk order) or null;
 * y, the SiLU kernels' output, for their gradient (null elsewhere).
 */
interface GroupNormTensors {
  x: tf.TensorInfo;
  y: tf.TensorInfo | null;
  gamma: tf.TensorInfo;
  beta: tf.TensorInfo | null;
  scaleShift: tf.TensorInfo | null;
}

/** Runs the sums pass over sample s of x and derives its coefficients. */
function sampleCoefficients(passes: GroupNormPasses, heap: Heap, tensors: GroupNormTensors, s: number, attrs: GroupNormAttrs): SampleCoefficients {
  const [, pixels, c] = shape4(tensors.x, attrs.groups);
  const count = pixels * c;
  passes.laneSums(heap.offset(tensors.x) + s * count * 4, count, heap.period, heap.sumsAt);
  const [sumX, sumXX] = heap.channelSums(c);
  const { mean, rstd } = groupStats(sumX, sumXX, pixels, attrs.groups, attrs.eps);
  const per = c / attrs.groups;
  const groupOf = (ch: number): number => Math.floor(ch / per);
  const gamma = heap.floats(tensors.gamma);
  const beta = tensors.beta === null ? null : heap.floats(tensors.beta);
  const scaleShift = tensors.scaleShift === null ? null : heap.floats(tensors.scaleShift).subarray(s * 2 * c, (s + 1) * 2 * c);
  const out: SampleCoefficients = {
    meanHigh: new Float32Array(c),
    meanLow: new Float32Array(c),
    a: new Float64Array(c),
    b: new Float64Array(c),
    k: new Float64Array(c),
    rstd: new Float64Array(c),
    groupOf,
  };
  for (let ch = 0; ch < c; ch++) {
    const g = groupOf(ch);
    out.meanHigh[ch] = mean[g];
    out.meanLow[ch] = mean[g] - out.meanHigh[ch];
    out.k[ch] = scaleShift === null ? 1 : 1 + scaleShift[ch];
    out.rstd[ch] = rstd[g];
    out.a[ch] = rstd[g] * gamma[ch] * out.k[ch];
    out.b[ch] = (beta === null ? 0 : beta[ch] * out.k[ch]) + (scaleShift === null ? 0 : scaleShift[c + ch]);
  }
  return out;
}

function forward(args: KernelArgs, silu: boolean, scaleShift: tf.TensorInfo | null): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const attrs = args.attrs as unknown as GroupNormAttrs;
  const tensors: GroupNormTensors = { x: input(args, 'x'), y: null, gamma: input(args, 'gamma'), beta: input(args, 'beta'), scaleShift };
  const [n, pixels, c] = shape4(tensors.x, attrs.groups);
  const out = backend.makeOutput([...tensors.x.shape], 'float32');
  const { passes, heap } = linkedScratch(backend, c);
  try {
    const count = pixels * c;
    for (let s = 0; s < n; s++) {
      const co = sampleCoefficients(passes, heap, tensors, s, attrs);
      heap.setCoefficients([co.meanHigh, co.meanLow, co.a, co.b]);
      passes.affine(heap.offset(tensors.x) + s * count * 4, heap.offset(out) + s * count * 4, count, heap.period, heap.coefficientsAt, silu, heap.constantsAt);
    }
  } finally {
    heap.free();
  }
  return out;
}

/** dx, dgamma, dbeta and, with scale-shift, d(scaleShift) of the GroupNorm at `tensors` for output gradient dy. */
function backward(args: KernelArgs, silu: boolean, tensors: GroupNormTensors): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const attrs = args.attrs as unknown as GroupNormAttrs;
  const dyInfo = input(args, 'dy');
  const [n, pixels, c] = shape4(tensors.x, attrs.groups);
  const count = pixels * c;
  const dxInfo = backend.makeOutput([...tensors.x.shape], 'float32');
  const dgammaInfo = backend.makeOutput([c], 'float32');
  const dbetaInfo = backend.makeOutput([c], 'float32');
  const dScaleShiftInfo = tensors.scaleShift === null ? null : backend.makeOutput([n, 2 * c], 'float32');
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  const dScaleShift = new Float64Array(n * 2 * c);
  const { passes, heap } = linkedScratch(backend, c);
  try {
    for (let s = 0; s < n; s++) {
      const co = sampleCoefficients(passes, heap, tensors, s, attrs);
      heap.setCoefficients([co.meanHigh, co.meanLow, co.a, co.b]);
      const at = s * count * 4;
      passes.gradientSums(heap.offset(tensors.x) + at, tensors.y === null ? 0 : heap.offset(tensors.y) + at, heap.offset(dyInfo) + at, heap.offset(dxInfo) + at, count, heap.period, heap.coefficientsAt, silu, heap.constantsAt, heap.sumsAt);
      const [sumDz, sumDzXc] = heap.channelSums(c);
      const gamma = heap.floats(tensors.gamma);
      const beta = tensors.beta === null ? null : heap.floats(tensors.beta);
      const groups = attrs.groups;
      const sumDxhat = new Float64Array(groups);
      const sumDxhatXhat = new Float64Array(groups);
      for (let ch = 0; ch < c; ch++) {
        const dzXhat = co.rstd[ch] * sumDzXc[ch];
        dgamma[ch] += co.k[ch] * dzXhat;
        dbeta[ch] += co.k[ch] * sumDz[ch];
        dScaleShift[s * 2 * c + ch] = gamma[ch] * dzXhat + (beta === null ? 0 : beta[ch] * sumDz[ch]);
        dScaleShift[s * 2 * c + c + ch] = sumDz[ch];
        sumDxhat[co.groupOf(ch)] += co.k[ch] * gamma[ch] * sumDz[ch];
        sumDxhatXhat[co.groupOf(ch)] += co.k[ch] * gamma[ch] * dzXhat;
      }
      const m = pixels * (c / groups);
      const q = new Float64Array(c);
      const r = new Float64Array(c);
      for (let ch = 0; ch < c; ch++) {
        const g = co.groupOf(ch);
        q[ch] = (-co.rstd[ch] * co.rstd[ch] * sumDxhatXhat[g]) / m;
        r[ch] = (-co.rstd[ch] * sumDxhat[g]) / m;
      }
      // dx = P * dz + Q * xc + R with P = A.
      heap.setCoefficients([co.meanHigh, co.meanLow, co.a, q, r]);
      passes.gradientApply(heap.offset(tensors.x) + at, heap.offset(dxInfo) + at, count, heap.period, heap.coefficientsAt);
    }
    heap.floats(dgammaInfo).set(dgamma);
    heap.floats(dbetaInfo).set(dbeta);
    if (dScaleShiftInfo !== null) heap.floats(dScaleShiftInfo).set(dScaleShift);
  } finally {
    heap.free();
  }
  return dScaleShiftInfo === null ? [dxInfo, dgammaInfo, dbetaInfo] : [dxInfo, dgammaInfo, dbetaInfo, dScaleShiftInfo];
}

/** The passes and a scratch heap for one kernel call (after the outputs are made, so no later allocation moves memory). */
function linkedScratch(backend: BackendWasm, c: number): { passes: GroupNormPasses; heap: Heap } {
  const passes = passesFor(backend);
  const memory = backendMemory(backend);
  if (passes === null || memory === null) throw new Error('GroupNorm kernel: the WebAssembly SIMD passes do not link to this WASM backend');
  return { passes, heap: new Heap(backend, memory, c, passes) };
}

/**
 * Float64 sums of each of `period` columns (period a multiple of 4) over the rows of the `count` floats at byte offset x,
 * each column summed in row order, by the GroupNorm statistics pass (which also sums squares); null where the pass does
 * not link. For wasmSum.ts.
 */
export function columnSums(backend: BackendWasm, x: number, count: number, period: number): Float64Array | null {
  const passes = passesFor(backend);
  const memory = backendMemory(backend);
  if (passes === null || memory === null || period % 4 !== 0) return null;
  // Two float64 sums per column, 16-byte aligned for the pass's v128 stores.
  const at = allocateScratch(backend, 2 * period * 8 + 15);
  try {
    const sums = Math.ceil(at / 16) * 16;
    passes.laneSums(x, count, period, sums);
    return new Float64Array(memory.buffer, sums, period).slice();
  } finally {
    freeScratch(backend, at);
  }
}

const optionalScaleShift = (args: KernelArgs): tf.TensorInfo | null => args.inputs.scaleShift ?? null;

let registered = false;

/** Registers the kernels for the WASM backend and their gradients (idempotent). */
export function registerWasmGroupNorm(): void {
  if (registered) return;
  registered = true;
  const kernels: Array<[string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]]> = [
    [GROUP_NORM_KERNEL, (args) => forward(args, false, null)],
    [GROUP_NORM_GRAD_KERNEL, (args) => backward(args, false, { x: input(args, 'x'), y: null, gamma: input(args, 'gamma'), beta: null, scaleShift: null })],
    [GROUP_NORM_SILU_KERNEL, (args) => forward(args, true, null)],
    [GROUP_NORM_SCALE_SHIFT_SILU_KERNEL, (args) => forward(args, true, input(args, 'scaleShift'))],
    [
      GROUP_NORM_SILU_GRAD_KERNEL,
      (args) => backward(args, true, { x: input(args, 'x'), y: input(args, 'y'), gamma: input(args, 'gamma'), beta: input(args, 'beta'), scaleShift: optionalScaleShift(args) }),
    ],
  ];
  for (const [kernelName, kernelFunc] of kernels) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  // The gradient config is global (per kernel name), so the WebGPU FqlabGroupNorm (webgpu/groupNorm.ts) shares this one.
  tf.registerGradient({
    kernelName: GROUP_NORM_KERNEL,
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, gamma] = saved;
      // Computed here, not in the thunks: tfjs runs each thunk in its own tidy, which would free the others.
      const [dx, dgamma, dbeta] = tf.engine().runKernel(GROUP_NORM_GRAD_KERNEL, { dy: dy as tf.Tensor, x, gamma }, attrs) as tf.Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
  // The fused kernels keep every input (nothing full-size but x) and their output y, which the next convolution keeps
  // anyway and which gives the gradient sigmoid(z) as y / z; they share one gradient kernel.
  const siluGradient = (kernelName: string, inputsToSave: string[]): void => {
    tf.registerGradient({
      kernelName,
      inputsToSave,
      outputsToSave: [true],
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
        const inputs: tf.NamedTensorMap = { dy: dy as tf.Tensor, y: saved[inputsToSave.length] };
        inputsToSave.forEach((name, i) => (inputs[name] = saved[i]));
        const [dx, dgamma, dbeta, dScaleShift] = tf.engine().runKernel(GROUP_NORM_SILU_GRAD_KERNEL, inputs, attrs) as tf.Tensor[];
        const grads: Record<string, () => tf.Tensor> = { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
        if (dScaleShift !== undefined) grads.scaleShift = () => dScaleShift;
        return grads;
      },
    });
  };
  siluGradient(GROUP_NORM_SILU_KERNEL, ['x', 'gamma', 'beta']);
  siluGradient(GROUP_NORM_SCALE_SHIFT_SILU_KERNEL, ['x', 'gamma', 'beta', 'scaleShift']);
}

/** Whether the active WASM backend runs the SIMD passes (they link to its memory). */
function wasmPassesLinked(): boolean {
  return registered && tf.getBackend() === 'wasm' && passesFor(tf.backend() as BackendWasm) !== null;
}

/** Whether groupNorm should take the fused kernel: WASM where the SIMD passes link; WebGPU when its flag is on (webgpu/groupNorm.ts). */
export function fusedGroupNormAvailable(): boolean {
  if (tf.getBackend() === 'wasm') return wasmPassesLinked();
  return tf.getBackend() === 'webgpu' && webGpuKernelFlags().groupNormFused && tf.getKernel(GROUP_NORM_KERNEL, 'webgpu') !== undefined;
}

/** Whether SiLU(GroupNorm(x) * (1 + scale) + shift) runs as one kernel (WASM only). */
export function fusedGroupNormSiluAvailable(): boolean {
  return wasmPassesLinked();
}

/** The fused GroupNorm of NHWC x (where fusedGroupNormAvailable; layers.ts picks it). */
export function fusedGroupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number): tf.Tensor4D {
  return tf.engine().runKernel(GROUP_NORM_KERNEL, { x, gamma, beta }, { groups, eps } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * SiLU(GroupNorm(x) * (1 + scale) + shift) of NHWC x as one kernel, scaleShift [n, 2c] = [scale | shift] per sample, or
 * SiLU(GroupNorm(x)) without it (where fusedGroupNormSiluAvailable; layers.ts picks it).
 */
export function fusedGroupNormSilu(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number, scaleShift: tf.Tensor2D | null): tf.Tensor4D {
  const attrs = { groups, eps } as unknown as tf.NamedAttrMap;
  if (scaleShift === null) return tf.engine().runKernel(GROUP_NORM_SILU_KERNEL, { x, gamma, beta }, attrs) as tf.Tensor4D;
  return tf.engine().runKernel(GROUP_NORM_SCALE_SHIFT_SILU_KERNEL, { x, gamma, beta, scaleShift }, attrs) as tf.Tensor4D;
}
