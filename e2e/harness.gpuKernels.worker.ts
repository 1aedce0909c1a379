// Test-only worker (e2e/harness.ts): a conv2d filter gradient on a chosen backend and WebGPU kernel set, for e2e/worker-backends.spec.ts.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '../src/engine/index.ts';
import { selectWebGpuKernelSet, type WebGpuKernelSet } from '../src/engine/webgpu/kernelFlags.ts';

/** A 3x3 stride-2 'same' conv at odd sizes (batch 3, 7x9, 5 to 3 channels), and one whose reduction takes 5 chunks. */
const CASES = [
  { input: [3, 7, 9, 5], filter: [3, 3, 5, 3], stride: 2, outShape: [3, 4, 5, 3] },
  { input: [4, 24, 24, 2], filter: [3, 3, 2, 3], stride: 1, outShape: [4, 24, 24, 3] },
] as const;

export interface GpuKernelsApi {
  /** dW of each case through tf.grad of a conv2d ('same' padding, seeded inputs), on the backend with the kernel set. */
  filterGradients(backend: 'webgpu' | 'cpu', kernels: WebGpuKernelSet): Promise<{ backend: string; gradients: Float32Array[] }>;
}

const api: GpuKernelsApi = {
  async filterGradients(backend, kernels) {
    const choice = await initBackend(backend, { allowSoftwareAdapter: true });
    selectWebGpuKernelSet(kernels);
    const rng = new Rng(5);
    const values = (shape: readonly number[]): Float32Array => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rng.next() - 1);
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
};

Comlink.expose(api);
