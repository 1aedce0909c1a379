// Test-only entry of e2e/harness.html: puts a worker client on window so Playwright can drive the real worker.
import * as Comlink from 'comlink';
import { medianFilter3D, preferredMedianKernel, type MedianKernel } from '../src/core/postprocess/index.ts';
import { createWorkerClient, type FqlabWorkerClient } from '../workers/client.ts';
import type { GpuKernelsApi } from './harness.gpuKernels.worker.ts';
import type { WasmCheckApi } from './harness.wasmCheck.worker.ts';

declare global {
  interface Window {
    fqlabHarness?: {
      client: FqlabWorkerClient;
      /** A fresh test-only engine worker (e2e/harness.wasmCheck.worker.ts), for WASM threads-on/off comparisons. */
      wasmCheckWorker: () => Comlink.Remote<WasmCheckApi>;
      /** A fresh test-only worker (e2e/harness.gpuKernels.worker.ts) for the custom WebGPU kernels. */
      gpuKernelsWorker: () => Comlink.Remote<GpuKernelsApi>;
      /** The median filter kernel this browser runs, and whether it gives the JavaScript kernel's bits on a seeded map. */
      medianKernels: () => { preferred: MedianKernel; sameBits: boolean };
    };
  }
}

window.fqlabHarness = {
  client: createWorkerClient(),
  wasmCheckWorker: () => Comlink.wrap<WasmCheckApi>(new Worker(new URL('./harness.wasmCheck.worker.ts', import.meta.url), { type: 'module' })),
  gpuKernelsWorker: () => Comlink.wrap<GpuKernelsApi>(new Worker(new URL('./harness.gpuKernels.worker.ts', import.meta.url), { type: 'module' })),
  medianKernels: () => {
    const dims = [29, 23, 17] as const;
    let state = 7;
    // A sparse map with ties and both signs, from a fixed linear congruential sequence.
    const map = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % 3 === 0 ? 0 : ((state >>> 8) % 64) / 16 - 1;
    });
    const wasm = new Uint32Array(medianFilter3D(map, [...dims], 5, 'wasm-simd').buffer);
    const js = new Uint32Array(medianFilter3D(map, [...dims], 5, 'js').buffer);
    return { preferred: preferredMedianKernel(), sameBits: wasm.every((bits, i) => bits === js[i]) };
  },
};
const status = document.getElementById('status');
if (status) status.textContent = 'ready';
