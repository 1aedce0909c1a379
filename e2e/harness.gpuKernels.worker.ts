// Test-only worker (e2e/harness.ts): conv2d filter gradients and GroupNorm on a chosen backend and WebGPU kernel set, for e2e/worker-backends.spec.ts.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '../src/engine/index.ts';
import { groupNorm } from '../src/engine/layers.ts';
import { selectWebGpuKernelSet, type WebGpuKernelSet } from '../src/engine/webgpu/kernelFlags.ts';

/** A 3x3 stride-2 'same' conv at odd sizes (batch 3, 7x9, 5 to 3 channels), and one whose reduction takes 5 chunks. */
const CASES = [
  { input: [3, 7, 9, 5], filter: [3, 3, 5, 3], stride: 2, outShape: [3, 4, 5, 3] },
  { input: [4, 24, 24, 2], filter: [3, 3, 2, 3], stride: 1, outShape: [4, 24, 24, 3] },
] as const;

/** GroupNorm of 2 x 5x7 x 8 channels in 4 groups. */
const GROUP_NORM = { shape: [2, 5, 7, 8], groups: 4 } as const;

export interface GpuKernelsApi {
  /** dW of each case through tf.grad of a conv2d ('same' padding, seeded inputs), on the backend with the kernel set. */
  filterGradients(backend: 'webgpu' | 'cpu', kernels: WebGpuKernelSet): Promise<{ backend: string; gradients: Float32Array[] }>;
  /** y, dx, dgamma and dbeta of the engine's groupNorm (seeded inputs), on the backend with the kernel set. */
  groupNorm(backend: 'webgpu' | 'cpu', kernels: WebGpuKernelSet): Promise<{ backend: string; gradients: Float32Array[] }>;
}

function seededValues(seed: number): (shape: readonly number[]) => Float32Array {
  const rng = new Rng(seed);
  return (shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rng.next() - 1);
}

const api: GpuKernelsApi = {
  async filterGradients(backend, kernels) {
    const choice = await initBackend(backend, { allowSoftwareAdapter: true });
    selectWebGpuKernelSet(kernels);
    const values = seededValues(5);
    const gradients: Float32Array[] = [];
    for (const c of CASES) {
      const x = tf.tensor4d(values(c.input), [...c.input]);
      const w = tf.tensor4d(values(c.filter), [...c.filter]);
      const dy = tf.tensor4d(values(c.outShape), [...c.outShape]);
      const dw = tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, c.stride, 'same'), dy)))(w);
      gradients.push((await dw.data()) as Float32Array);
      tf.dispose([x, w, dy, dw]);
    }
    return { backend: choice.name, gradients };
  },
  async groupNorm(backend, kernels) {
    const choice = await initBackend(backend, { allowSoftwareAdapter: true });
    selectWebGpuKernelSet(kernels);
    const values = seededValues(9);
    const channels = GROUP_NORM.shape[3];
    const x = tf.tensor4d(values(GROUP_NORM.shape), [...GROUP_NORM.shape]);
    const gamma = tf.tensor1d(values([channels]));
    const beta = tf.tensor1d(values([channels]));
    const dy = tf.tensor4d(values(GROUP_NORM.shape), [...GROUP_NORM.shape]);
    const outputs = tf.tidy(() => [
      groupNorm(x, gamma, beta, GROUP_NORM.groups),
      ...tf.grads((a, b, c) => tf.sum(tf.mul(groupNorm(a as tf.Tensor4D, b, c, GROUP_NORM.groups), dy)))([x, gamma, beta]),
    ]);
    const gradients = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose([x, gamma, beta, dy, ...outputs]);
    return { backend: choice.name, gradients };
  },
};

Comlink.expose(api);
