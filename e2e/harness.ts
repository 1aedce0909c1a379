// Test-only entry of e2e/harness.html: puts a worker client on window so Playwright can drive the real worker.
import * as Comlink from 'comlink';
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
    };
  }
}

window.fqlabHarness = {
  client: createWorkerClient(),
  wasmCheckWorker: () => Comlink.wrap<WasmCheckApi>(new Worker(new URL('./harness.wasmCheck.worker.ts', import.meta.url), { type: 'module' })),
  gpuKernelsWorker: () => Comlink.wrap<GpuKernelsApi>(new Worker(new URL('./harness.gpuKernels.worker.ts', import.meta.url), { type: 'module' })),
};
const status = document.getElementById('status');
if (status) status.textContent = 'ready';
