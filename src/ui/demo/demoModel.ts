// Loads a demo checkpoint into the worker once the compute backend is up, and puts that model's score map on the scan.
import { resetAnalysis } from '../actions/analysisActions.ts';
import { JobStopped } from '../actions/cancellation.ts';
import { loadCheckpoint } from '../actions/modelActions.ts';
import { setDemo, useDemoStore } from '../stores/demoStore.ts';
import { useDiagnosticsStore } from '../stores/diagnosticsStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { DemoFailure } from './demoFiles.ts';
import type { DemoModel } from './demoSettings.ts';

/** Resolves once the compute backend is up (the demo must not start a second backend race by calling the worker first). */
function backendReady(signal: AbortSignal): Promise<void> {
  const check = (): boolean => {
    const status = useDiagnosticsStore.getState().workerStatus;
    if (status === 'failed') {
      throw new DemoFailure('', 'the demo needs the compute worker, which did not start; pick another backend under Diagnostics, then click “Resume demo”.');
    }
    return status === 'ready';
  };
  if (check()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: unknown) => {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => finish(new JobStopped());
    const unsubscribe = useDiagnosticsStore.subscribe(() => {
      try {
        if (check()) finish();
      } catch (error) {
        finish(error);
      }
    });
    signal.addEventListener('abort', onAbort);
  });
}

/** Loads a demo checkpoint into the worker unless it is the one already there. */
export async function ensureModel(model: DemoModel, folder: string, checkpoint: Promise<ArrayBuffer>, signal: AbortSignal): Promise<void> {
  if (useDemoStore.getState().modelId === model.id && useModelStore.getState().model) return;
  setDemo({ step: `Loading the ${model.label} model…` });
  const bytes = new Uint8Array(await checkpoint);
  await backendReady(signal);
  signal.throwIfAborted();
  try {
    await loadCheckpoint(bytes, `demo/${folder}models/${model.file}`);
  } catch (error) {
    const { message } = toUserError(error);
    throw new DemoFailure(`demo/${folder}models/${model.file}`, `could not be loaded (${message}); the demo volumes are loaded, so you can still train a model in the Model panel.`);
  }
  setDemo({ modelId: model.id });
  // Maps and metrics of another model do not describe this one; its own score map goes on the scan.
  resetAnalysis();
  useViewerStore.getState().setMapOverlay(model.overlay);
}
