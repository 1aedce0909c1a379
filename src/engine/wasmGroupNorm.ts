// GroupNorm as one fused kernel with a fused gradient on the tfjs WASM backend: two passes each way instead of a chain of about 16 full-size ops.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { webGpuKernelFlags } from './webgpu/kernelFlags.ts';
import type { KernelArgs } from './kernelArgs.ts';

/*
 * y = (x - mean) * rstd * gamma + beta per (sample, group), rstd = 1 / sqrt(var + eps), over NHWC x.
 * Forward: one pass for the per-(sample, channel) sums of x and x^2 (float64), one pass writing
 * y = x * a + b. Backward: one pass for the per-(sample, channel) sums of x, x^2, dy and dy * x, one
 * pass writing dx = p * dy + q * x + r, where (xhat = (x - mean) * rstd, dxhat = dy * gamma, m = count)
 *   dx = rstd * (dxhat - sum(dxhat) / m - xhat * sum(dxhat * xhat) / m)   summed over the group,
 *   dgamma = sum(dy * xhat), dbeta = sum(dy)                              summed over samples and pixels.
 * The loops run in JavaScript on the WASM heap: memory-bound passes, so few passes win.
 */

export const GROUP_NORM_KERNEL = 'FqlabGroupNorm';
export const GROUP_NORM_GRAD_KERNEL = 'FqlabGroupNormGrad';

interface GroupNormAttrs {
  groups: number;
  eps: number;
}

/** Per-(sample, channel) sums over the pixels: [sum x, sum x^2] and, with dy, [sum dy, sum dy * x]. */
interface ChannelSums {
  x: Float64Array;
  xx: Float64Array;
  dy: Float64Array;
  dyx: Float64Array;
}

function channelSums(x: Float32Array, dy: Float32Array | null, n: number, pixels: number, c: number): ChannelSums {
  const sums = { x: new Float64Array(n * c), xx: new Float64Array(n * c), dy: new Float64Array(n * c), dyx: new Float64Array(n * c) };
  for (let s = 0; s < n; s++) {
    const sx = sums.x.subarray(s * c, (s + 1) * c);
    const sxx = sums.xx.subarray(s * c, (s + 1) * c);
    const start = s * pixels * c;
    const end = start + pixels * c;
    if (dy === null) {
      for (let i = start; i < end; i += c) {
        for (let ch = 0; ch < c; ch++) {
          const v = x[i + ch];
          sx[ch] += v;
          sxx[ch] += v * v;
        }
      }
      continue;
    }
    const sdy = sums.dy.subarray(s * c, (s + 1) * c);
    const sdyx = sums.dyx.subarray(s * c, (s + 1) * c);
    for (let i = start; i < end; i += c) {
      for (let ch = 0; ch < c; ch++) {
        const v = x[i + ch];
        const g = dy[i + ch];
        sx[ch] += v;
        sxx[ch] += v * v;
        sdy[ch] += g;
        sdyx[ch] += g * v;
      }
    }
  }
  return sums;
}

/** Mean and rstd per (sample, group) from the channel sums. */
function groupStats(sums: ChannelSums, n: number, pixels: number, c: number, groups: number, eps: number): { mean: Float64Array; rstd: Float64Array } {
  const per = c / groups;
  const count = pixels * per;
  const mean = new Float64Array(n * groups);
  const rstd = new Float64Array(n * groups);
  for (let s = 0; s < n; s++) {
    for (let g = 0; g < groups; g++) {
      let sx = 0;
      let sxx = 0;
      for (let ch = g * per; ch < (g + 1) * per; ch++) {
        sx += sums.x[s * c + ch];
        sxx += sums.xx[s * c + ch];
      }
      const m = sx / count;
      mean[s * groups + g] = m;
      rstd[s * groups + g] = 1 / Math.sqrt(Math.max(0, sxx / count - m * m) + eps);
    }
  }
  return { mean, rstd };
}

/** out[i] = x[i] * a[sample, channel] + b[sample, channel] (a, b per sample, channel). */
function affinePass(x: Float32Array, a: Float64Array, b: Float64Array, out: Float32Array, n: number, pixels: number, c: number): void {
  for (let s = 0; s < n; s++) {
    const as = a.subarray(s * c, (s + 1) * c);
    const bs = b.subarray(s * c, (s + 1) * c);
    const end = (s + 1) * pixels * c;
    for (let i = s * pixels * c; i < end; i += c) {
      for (let ch = 0; ch < c; ch++) out[i + ch] = x[i + ch] * as[ch] + bs[ch];
    }
  }
}

function shape4(t: tf.TensorInfo, groups: number): [number, number, number] {
  if (t.shape.length !== 4) throw new Error(`GroupNorm kernel: x must be NHWC (rank 4), got shape [${t.shape}]`);
  const [n, h, w, c] = t.shape;
  if (c % groups !== 0) throw new Error(`GroupNorm kernel: ${c} channels do not split into ${groups} groups`);
  return [n, h * w, c];
}

function input(args: KernelArgs, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`GroupNorm kernel: missing input ${name}`);
  return t;
}

function groupNormForward(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { groups, eps } = args.attrs as unknown as GroupNormAttrs;
  const x = input(args, 'x');
  const [n, pixels, c] = shape4(x, groups);
  const out = backend.makeOutput([...x.shape], 'float32');
  // Heap views after makeOutput: a heap growth detaches older ones.
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const gamma = backend.typedArrayFromHeap(input(args, 'gamma')) as Float32Array;
  const beta = backend.typedArrayFromHeap(input(args, 'beta')) as Float32Array;
  const { mean, rstd } = groupStats(channelSums(xv, null, n, pixels, c), n, pixels, c, groups, eps);
  const per = c / groups;
  const a = new Float64Array(n * c);
  const b = new Float64Array(n * c);
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const g = s * groups + Math.floor(ch / per);
      a[s * c + ch] = gamma[ch] * rstd[g];
      b[s * c + ch] = beta[ch] - mean[g] * a[s * c + ch];
    }
  }
  affinePass(xv, a, b, backend.typedArrayFromHeap(out) as Float32Array, n, pixels, c);
  return out;
}

function groupNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { groups, eps } = args.attrs as unknown as GroupNormAttrs;
  const x = input(args, 'x');
  const [n, pixels, c] = shape4(x, groups);
  const dxInfo = backend.makeOutput([...x.shape], 'float32');
  const dgammaInfo = backend.makeOutput([c], 'float32');
  const dbetaInfo = backend.makeOutput([c], 'float32');
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const dy = backend.typedArrayFromHeap(input(args, 'dy')) as Float32Array;
  const gamma = backend.typedArrayFromHeap(input(args, 'gamma')) as Float32Array;
  const sums = channelSums(xv, dy, n, pixels, c);
  const { mean, rstd } = groupStats(sums, n, pixels, c, groups, eps);
  const per = c / groups;
  const count = pixels * per;
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  const p = new Float64Array(n * c);
  const q = new Float64Array(n * c);
  const r = new Float64Array(n * c);
  for (let s = 0; s < n; s++) {
    for (let g = 0; g < groups; g++) {
      const k = s * groups + g;
      let sumDxhat = 0;
      let sumDxhatXhat = 0;
      for (let ch = g * per; ch < (g + 1) * per; ch++) {
        const j = s * c + ch;
        // sum over pixels of dy * xhat = rstd * (sum dy * x - mean * sum dy)
        const dyXhat = rstd[k] * (sums.dyx[j] - mean[k] * sums.dy[j]);
        dgamma[ch] += dyXhat;
        dbeta[ch] += sums.dy[j];
        sumDxhat += gamma[ch] * sums.dy[j];
        sumDxhatXhat += gamma[ch] * dyXhat;
      }
      const qk = (-rstd[k] * rstd[k] * sumDxhatXhat) / count;
      const rk = (-rstd[k] * sumDxhat) / count - qk * mean[k];
      for (let ch = g * per; ch < (g + 1) * per; ch++) {
        p[s * c + ch] = rstd[k] * gamma[ch];
        q[s * c + ch] = qk;
        r[s * c + ch] = rk;
      }
    }
  }
  const dx = backend.typedArrayFromHeap(dxInfo) as Float32Array;
  for (let s = 0; s < n; s++) {
    const ps = p.subarray(s * c, (s + 1) * c);
    const qs = q.subarray(s * c, (s + 1) * c);
    const rs = r.subarray(s * c, (s + 1) * c);
    const end = (s + 1) * pixels * c;
    for (let i = s * pixels * c; i < end; i += c) {
      for (let ch = 0; ch < c; ch++) dx[i + ch] = ps[ch] * dy[i + ch] + qs[ch] * xv[i + ch] + rs[ch];
    }
  }
  (backend.typedArrayFromHeap(dgammaInfo) as Float32Array).set(dgamma);
  (backend.typedArrayFromHeap(dbetaInfo) as Float32Array).set(dbeta);
  return [dxInfo, dgammaInfo, dbetaInfo];
}

let registered = false;

/** Registers both kernels for the WASM backend and the gradient (idempotent). */
export function registerWasmGroupNorm(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: GROUP_NORM_KERNEL, backendName: 'wasm', kernelFunc: groupNormForward as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: GROUP_NORM_GRAD_KERNEL, backendName: 'wasm', kernelFunc: groupNormGrad as unknown as tf.KernelFunc });
  tf.registerGradient({
    kernelName: GROUP_NORM_KERNEL,
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, gamma] = saved;
      // Computed here, not in the thunks: tfjs runs each thunk in its own tidy, which would free the other two.
      const [dx, dgamma, dbeta] = tf.engine().runKernel(GROUP_NORM_GRAD_KERNEL, { dy: dy as tf.Tensor, x, gamma }, attrs) as tf.Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
}

/** Whether groupNorm should take the fused kernel: WASM has it; WebGPU when its flag is on (webgpu/groupNorm.ts). */
export function fusedGroupNormAvailable(): boolean {
  const backend = tf.getBackend();
  if (backend === 'wasm') return registered;
  return backend === 'webgpu' && webGpuKernelFlags().groupNormFused && tf.getKernel(GROUP_NORM_KERNEL, 'webgpu') !== undefined;
}

/** The fused GroupNorm of NHWC x (where fusedGroupNormAvailable; layers.ts picks it). */
export function fusedGroupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number): tf.Tensor4D {
  return tf.engine().runKernel(GROUP_NORM_KERNEL, { x, gamma, beta }, { groups, eps } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
