// Test-only entry of e2e/harness.html: puts a worker client on window so Playwright can drive the real worker.
import * as Comlink from 'comlink';
import { medianFilter3D, preferredMedianKernel, type MedianKernel } from '../src/core/postprocess/index.ts';
import { createWorkerClient, type FqlabWorkerClient } from '../workers/client.ts';
import type { GpuKernelsApi } from './harness.gpuKernels.worker.ts';
import type { WasmCheckApi } from './harness.wasmCheck.worker.ts';

/** A single-threaded and a 2-thread WASM check worker with what their start returned. */
interface WasmCheckPair {
  single: Comlink.Remote<WasmCheckApi>;
  twoThreads: Comlink.Remote<WasmCheckApi>;
  singleStart: { reason: string; threadsCount: number };
  twoThreadsStart: { reason: string; threadsCount: number };
}

function wasmCheckWorker(): Comlink.Remote<WasmCheckApi> {
  return Comlink.wrap<WasmCheckApi>(new Worker(new URL('./harness.wasmCheck.worker.ts', import.meta.url), { type: 'module' }));
}

declare global {
  interface Window {
    fqlabHarness?: {
      client: FqlabWorkerClient;
      /**
       * Two fresh test-only engine workers (e2e/harness.wasmCheck.worker.ts) for WASM threads-on/off comparisons, started:
       * one with threads off, one with threads on at 2 XNNPACK threads.
       */
      wasmCheckPair: () => Promise<WasmCheckPair>;
      /** A fresh test-only worker (e2e/harness.gpuKernels.worker.ts) for the custom WebGPU kernels. */
      gpuKernelsWorker: () => Comlink.Remote<GpuKernelsApi>;
      /** The median filter kernel this browser runs, and whether it gives the JavaScript kernel's bits on a seeded map. */
      medianKernels: () => { preferred: MedianKernel; sameBits: boolean };
    };
  }
}

window.fqlabHarness = {
  client: createWorkerClient(),
  wasmCheckPair: async () => {
    const single = wasmCheckWorker();
    const twoThreads = wasmCheckWorker();
    const [singleStart, twoThreadsStart] = await Promise.all([single.start(false), twoThreads.start(true, 2)]);
    return { single, twoThreads, singleStart, twoThreadsStart };
  },
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
