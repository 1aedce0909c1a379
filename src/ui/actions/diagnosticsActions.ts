// Starts the compute worker, picks the backend (auto or the user's override) and refreshes the diagnostics.
import type { BackendPreference, WebGpuKernelSet } from '../../../workers/api.ts';
import { useDiagnosticsStore } from '../stores/diagnosticsStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';

let started = false;

/** Spawns the worker and initialises the preferred backend once per page (React StrictMode runs effects twice). */
export function startWorkbench(): void {
  if (started) return;
  started = true;
  try {
    workbenchWorker().onRestart((report) => {
      const errors = useErrorStore.getState();
      errors.report('', `The compute worker stopped (${report.reason}) and was restarted with your files, cases and last model; rerun what was running.`);
      for (const e of report.replayErrors) errors.report(e.fileName, `could not be restored after the restart: ${e.message}`);
    });
  } catch (error) {
    useDiagnosticsStore.getState().set({ workerStatus: 'failed' });
    useErrorStore.getState().report('', `The compute worker could not start: ${toUserError(error).message}. This browser may not support module workers; try a current Chrome, Edge or Firefox.`);
    return;
  }
  void chooseBackend(useDiagnosticsStore.getState().preference);
}

/** Asks the worker for a backend; it falls back (webgpu -> wasm -> webgl -> cpu) and says why. */
export async function chooseBackend(preference: BackendPreference): Promise<void> {
  const store = useDiagnosticsStore.getState();
  store.set({ preference, workerStatus: 'starting' });
  try {
    const backend = await workbenchWorker().initBackend(preference);
    useDiagnosticsStore.getState().set({ backend, workerStatus: 'ready' });
    await refreshDiagnostics();
  } catch (error) {
    const { message } = toUserError(error);
    useDiagnosticsStore.getState().set({ workerStatus: 'failed' });
    useErrorStore
      .getState()
      .report('', `The compute backend "${preference}" could not start: ${message.replace(/[.\s]+$/, '')}. Pick another backend under Diagnostics (cpu always works, slowly) or reload the page.`);
  }
}

/** Switches the compute worker between tfjs's stock WebGPU kernels and the engine's custom ones. */
export async function chooseWebGpuKernels(set: WebGpuKernelSet): Promise<void> {
  try {
    await workbenchWorker().setWebGpuKernels(set);
    await refreshDiagnostics();
  } catch (error) {
    useErrorStore.getState().report('', `The WebGPU kernel set "${set}" could not be chosen: ${toUserError(error).message}`);
  }
}

export async function refreshDiagnostics(): Promise<void> {
  try {
    const diagnostics = await workbenchWorker().diagnostics();
    useDiagnosticsStore.getState().set({ diagnostics });
  } catch (error) {
    useErrorStore.getState().report('', `Diagnostics unavailable: ${toUserError(error).message}`);
  }
}
