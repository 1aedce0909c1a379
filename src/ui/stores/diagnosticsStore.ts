// Zustand store of the compute backend: the user's preference, what the worker chose and why, the latest diagnostics, and the GPU facts shown from them.
import { create } from 'zustand';
import type { BackendChoice, BackendPreference, Diagnostics, Throughput, ThroughputReading } from '../../../workers/api.ts';

export type WorkerStatus = 'starting' | 'ready' | 'failed';

/** The backends a user can ask for, in the order the diagnostics panel offers them. */
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm', 'webgl', 'cpu'];
const STORAGE_KEY = 'fqlab.backend';

function isPreference(value: string | null): value is BackendPreference {
  return value !== null && (BACKEND_PREFERENCES as readonly string[]).includes(value);
}

/** The backend to start with: `?backend=` in the address, else the last override kept in this browser, else auto. */
function initialPreference(): BackendPreference {
  const fromUrl = new URLSearchParams(globalThis.location?.search ?? '').get('backend');
  if (isPreference(fromUrl)) return fromUrl;
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
    return isPreference(stored) ? stored : 'auto';
  } catch {
    return 'auto';
  }
}

/** Remembers an override so a backend that crashes this machine is not tried again on reload. */
export function rememberPreference(preference: BackendPreference): void {
  try {
    if (preference === 'auto') globalThis.localStorage?.removeItem(STORAGE_KEY);
    else globalThis.localStorage?.setItem(STORAGE_KEY, preference);
  } catch {
    // Storage may be disabled (private mode); the override then lasts for this page only.
  }
}

interface DiagnosticsState {
  preference: BackendPreference;
  workerStatus: WorkerStatus;
  backend: BackendChoice | null;
  diagnostics: Diagnostics | null;
  set: (patch: Partial<Omit<DiagnosticsState, 'set'>>) => void;
}

export const useDiagnosticsStore = create<DiagnosticsState>()((set) => ({
  preference: initialPreference(),
  workerStatus: 'starting',
  backend: null,
  diagnostics: null,
  set: (patch) => set(patch),
}));

/** The Diagnostics panel's GPU lines, as text: the adapter, the WebGPU kernel set, and the last forward's and training step's TFLOP/s. */
export interface GpuFacts {
  gpu: string;
  kernelSet: string;
  forward: string;
  training: string;
}

function rateText(reading: ThroughputReading | null, unit: string, none: string): string {
  if (reading === null) return none;
  return `${reading.teraflopsPerSecond.toPrecision(3)} TFLOP/s (${reading.slicesPerSecond.toPrecision(3)} ${unit}/s)`;
}

export function gpuFacts(backend: BackendChoice | null, diagnostics: Pick<Diagnostics, 'kernelSet' | 'throughput'> | null): GpuFacts {
  const adapter = backend?.adapterInfo;
  const named = adapter ? [adapter.vendor, adapter.architecture, adapter.description].filter((x) => x).join(' · ') || 'unnamed adapter' : '';
  const gpu = adapter ? `${named}${adapter.isFallbackAdapter ? ' (software fallback)' : ''}` : 'no WebGPU adapter';
  const onWebGpu = backend?.name === 'webgpu';
  const kernels = diagnostics?.kernelSet;
  const setText = kernels === undefined ? '…' : kernels.set === 'mixed' ? `mixed (custom: ${kernels.custom.join(', ')})` : kernels.set;
  const throughput: Throughput | undefined = diagnostics?.throughput;
  const equivalents = throughput?.trainingStepForwardEquivalents ?? 3;
  return {
    gpu,
    kernelSet: onWebGpu ? setText : `${setText} (applies to WebGPU only; this backend is ${backend?.name ?? 'not started'})`,
    forward: rateText(throughput?.lastForward ?? null, 'slice forwards', 'no reconstruction yet'),
    training: throughput?.lastTrainingStep
      ? `${rateText(throughput.lastTrainingStep, 'slices', '')}, a slice counted as ${equivalents} forwards' FLOPs`
      : 'no training step yet',
  };
}
