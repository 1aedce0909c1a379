// Picks and starts the tfjs backend: WebGPU on a real GPU (in Node on request, through Dawn), else WASM (SIMD, threads when cross-origin isolated), else WebGL, else CPU.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ALLOW_SOFTWARE_WEBGPU_ENV, installNodeWebGpu, NODE_NO_ADAPTER_HINT, softwareWebGpuAllowedByEnv } from './nodeWebgpu.ts';
import { registerWasmAdam } from './wasmAdam.ts';
import { registerWasmBatchMatMul } from './wasmBatchMatMul.ts';
import { registerWasmCopyKernels } from './wasmCopyKernels.ts';
import { registerWasmConvGradients } from './wasmConvGradients.ts';
import { registerWasmGroupNorm } from './wasmGroupNorm.ts';
import { registerWasmSum } from './wasmSum.ts';
import { registerWasmWinogradConv } from './wasmWinogradConv.ts';
import { registerWebGpuConv2dBackpropFilter } from './webgpu/conv2dBackpropFilter.ts';
import { registerWebGpuGroupNorm } from './webgpu/groupNorm.ts';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm' | 'webgl' | 'cpu';

/** What the WebGPU adapter says about itself (all optional: browsers expose different subsets). */
export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface BackendChoice {
  /** tfjs backend name now active. */
  name: string;
  /** Why this one (shown to the user). */
  reason: string;
  adapterInfo?: AdapterInfo;
}

export interface BackendOptions {
  /**
   * Where the WASM binaries are: a folder URL ending in '/', or one URL per file name
   * ('tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm').
   * Browser builds pass the bundler's asset URLs (wasmAssets.browser.ts); in Node the backend finds the
   * files beside its own module in node_modules.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * Run WebGPU even on a software adapter (SwiftShader, llvmpipe, WARP), which is otherwise declined because
   * WASM beats it; for exercising the WebGPU path on machines without a GPU. In Node, when this is not given,
   * the environment variable FQLAB_ALLOW_SOFTWARE_WEBGPU=1 sets it (the CLI's switch).
   */
  allowSoftwareAdapter?: boolean;
}

/** The slice of the WebGPU API this module reads (not in TypeScript's DOM lib). */
interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: AdapterInfo;
  requestAdapterInfo?: () => Promise<AdapterInfo>;
}
interface NavigatorWithGpu {
  gpu?: { requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null> };
}

const SOFTWARE_ARCHITECTURES = ['swiftshader', 'llvmpipe', 'lavapipe', 'warp'];

async function probeWebGpu(allowSoftware: boolean, isNode: boolean): Promise<{ ok: boolean; reason: string; info?: AdapterInfo }> {
  const nav = (globalThis as { navigator?: NavigatorWithGpu }).navigator;
  if (nav?.gpu === undefined) return { ok: false, reason: 'WebGPU is not available (navigator.gpu missing)' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { ok: false, reason: `WebGPU adapter request failed: ${String(e)}` };
  }
  if (adapter === null) return { ok: false, reason: isNode ? `WebGPU has no adapter (${NODE_NO_ADAPTER_HINT})` : 'WebGPU has no adapter' };
  const raw = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo().catch(() => undefined) : undefined);
  const info: AdapterInfo = {
    vendor: raw?.vendor,
    architecture: raw?.architecture,
    device: raw?.device,
    description: raw?.description,
    isFallbackAdapter: adapter.isFallbackAdapter ?? raw?.isFallbackAdapter,
  };
  const arch = `${info.architecture ?? ''} ${info.description ?? ''} ${info.vendor ?? ''}`.toLowerCase();
  const described = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || '(no details)';
  if (info.isFallbackAdapter === true || SOFTWARE_ARCHITECTURES.some((s) => arch.includes(s))) {
    if (allowSoftware) return { ok: true, reason: `WebGPU on a software adapter (${described}), as allowed`, info };
    const override = isNode ? `; ${ALLOW_SOFTWARE_WEBGPU_ENV}=1 forces it` : '';
    return { ok: false, reason: `WebGPU adapter is a software fallback (${described}), slower than WASM${override}`, info };
  }
  return { ok: true, reason: `WebGPU adapter ${described}`, info };
}

const PROCESS_ERROR_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `start` and then removes the process error listeners it added. The WASM backend's Emscripten glue adds two in
 * Node that rethrow from inside the handler (emscripten-core/emscripten#11768): any unhandled rejection anywhere then
 * kills the process with no report, a test runner's worker included. Node's own handling is kept instead.
 */
async function keepingProcessErrorHandling<T>(start: () => Promise<T>): Promise<T> {
  if (typeof process === 'undefined' || typeof process.listeners !== 'function') return start();
  const emitter: NodeJS.EventEmitter = process;
  const before = PROCESS_ERROR_EVENTS.map((event) => new Set(emitter.listeners(event)));
  try {
    return await start();
  } finally {
    PROCESS_ERROR_EVENTS.forEach((event, i) => {
      for (const listener of emitter.listeners(event)) if (!before[i].has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    });
  }
}

async function trySetBackend(name: string): Promise<boolean> {
  try {
    if (name === 'webgpu') {
      await import('@tensorflow/tfjs-backend-webgpu');
      registerWebGpuConv2dBackpropFilter();
      registerWebGpuGroupNorm();
    }
    return await keepingProcessErrorHandling(async () => {
      const ok = await tf.setBackend(name);
      if (ok) await tf.ready();
      return ok && tf.getBackend() === name;
    });
  } catch {
    return false;
  }
}

function wasmReason(): string {
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  return `WASM (SIMD ${simd ? 'on' : 'off'}, threads ${threads ? `on: ${getThreadsCount()}` : 'off'})`;
}

/**
 * Activates a backend. 'auto' in a browser: WebGPU when a hardware adapter exists, else WASM, else
 * WebGL, else CPU; in Node: WASM, else CPU. 'webgpu' in Node runs on the optional `webgpu` package
 * (Dawn; nodeWebgpu.ts). An explicit preference falls back the same way when it cannot start (no
 * package, no adapter, a software adapter without options.allowSoftwareAdapter), and the reason says
 * so; it never throws for that. Also installs the engine's faster WASM kernels
 * (wasmConvGradients.ts, wasmCopyKernels.ts, wasmBatchMatMul.ts, wasmGroupNorm.ts, wasmSum.ts, wasmWinogradConv.ts,
 * wasmAdam.ts).
 * @example const { name, reason } = await initBackend('auto');
 */
export async function initBackend(preference: BackendPreference, options: BackendOptions = {}): Promise<BackendChoice> {
  registerWasmConvGradients();
  registerWasmCopyKernels();
  registerWasmBatchMatMul();
  registerWasmGroupNorm();
  registerWasmSum();
  registerWasmWinogradConv();
  registerWasmAdam();
  if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths);
  const isNode = tf.env().getBool('IS_NODE');
  const allowSoftware = options.allowSoftwareAdapter ?? (isNode && softwareWebGpuAllowedByEnv());
  const notes: string[] = [];
  let adapterInfo: AdapterInfo | undefined;

  const order: BackendPreference[] = preference === 'auto'
    ? (isNode ? ['wasm', 'cpu'] : ['webgpu', 'wasm', 'webgl', 'cpu'])
    : [preference, ...(['wasm', 'webgl', 'cpu'] as const).filter((b) => b !== preference && !(isNode && b === 'webgl'))];

  for (const name of order) {
    if (name === 'auto') continue;
    if (name === 'webgpu') {
      if (isNode) {
        const dawn = await installNodeWebGpu();
        if (!dawn.ok) {
          notes.push(dawn.reason);
          continue;
        }
      }
      const probe = await probeWebGpu(allowSoftware, isNode);
      adapterInfo = probe.info;
      if (!probe.ok) {
        notes.push(probe.reason);
        continue;
      }
      if (await trySetBackend('webgpu')) return { name: 'webgpu', reason: [...notes, probe.reason].join('; '), adapterInfo };
      notes.push('the WebGPU backend failed to start');
      continue;
    }
    if (await trySetBackend(name)) {
      const what = name === 'wasm' ? wasmReason() : name === 'webgl' ? 'WebGL' : 'plain JavaScript CPU (slow)';
      const why = preference === name ? `${what}, as requested` : what;
      return { name, reason: [...notes, why].join('; '), ...(adapterInfo ? { adapterInfo } : {}) };
    }
    notes.push(`the ${name} backend failed to start`);
  }
  throw new Error(`initBackend: no tfjs backend could start (${notes.join('; ')})`);
}
