// Zustand store of the compute backend: the user's preference, what the worker chose and why, and the latest diagnostics.
import { create } from 'zustand';
import type { BackendChoice, BackendPreference, Diagnostics } from '../../../workers/api.ts';

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
