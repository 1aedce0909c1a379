// Model actions: train with live progress, pause/resume/cancel, and checkpoints as files or in IndexedDB.
import type { TrainConfig } from '../../../workers/api.ts';
import { checkInputSize, CHECKPOINT_FILE } from '../../core/inputLimits.ts';
import { stopDemo } from '../demo/demoControl.ts';
import { useDemoStore } from '../demo/demoStore.ts';
import { downloadBytes } from '../export/download.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { getCheckpoint, putCheckpoint } from '../storage/checkpointDb.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';

function report(fileName: string, message: string): void {
  useErrorStore.getState().report(fileName, message);
}

/** What is missing before training can start, or null when it can. */
export function trainingBlocker(config: TrainConfig): string | null {
  const cases = useDataStore.getState().cases;
  if (!cases.some((c) => c.status === 'ready' && c.spec.split === 'healthy-train')) {
    return 'Training needs at least one conformed case in the healthy-train split (Data panel).';
  }
  if (!Number.isInteger(config.steps) || config.steps < 1) return 'Steps must be a whole number of at least 1.';
  if (!Number.isInteger(config.batchSize) || config.batchSize < 1) return 'Batch must be a whole number of at least 1.';
  return null;
}

/** The worker now holds the user's own model, not a demo checkpoint; the demo status says how to go back. */
function setOwnModel(how: string): void {
  const demo = useDemoStore.getState();
  const shown = demo.phase !== 'off' && demo.phase !== 'closed';
  demo.set(shown ? { modelId: null, phase: 'paused', step: `Demo paused: ${how}; pick a demo model to go back to it.` } : { modelId: null });
}

export async function trainModel(): Promise<void> {
  const model = useModelStore.getState();
  if (model.status !== 'idle') return;
  const blocker = trainingBlocker(model.config);
  if (blocker) return report('', blocker);
  model.startRun();
  try {
    await stopDemo('training started');
    if (useModelStore.getState().status === 'cancelling') return;
    const info = await workbenchWorker().train(model.config, (progress) => useModelStore.getState().recordProgress(progress));
    setOwnModel('you trained your own model');
    useModelStore.getState().setModel(info);
    useAnalysisStore.getState().markStale();
  } catch (error) {
    const { fileName, message } = toUserError(error);
    if (useModelStore.getState().status !== 'cancelling') report(fileName, `Training stopped: ${message}`);
  } finally {
    useModelStore.getState().setStatus('idle');
  }
}

export async function pauseTraining(): Promise<void> {
  await workbenchWorker().pauseTraining();
  useModelStore.getState().setStatus('paused');
}

export async function resumeTraining(): Promise<void> {
  await workbenchWorker().resumeTraining();
  useModelStore.getState().setStatus('training');
}

export async function cancelTraining(): Promise<void> {
  useModelStore.getState().setStatus('cancelling');
  await workbenchWorker().cancelTraining();
}

function checkpointName(): string {
  const m = useModelStore.getState().model;
  return m ? `fqlab-${m.preset}-${m.loss}-step${m.step}` : 'fqlab-model';
}

export async function downloadCheckpoint(): Promise<void> {
  try {
    const bytes = await workbenchWorker().saveCheckpoint();
    downloadBytes(`${checkpointName()}.fqlab`, bytes);
  } catch (error) {
    report('', `Could not save the checkpoint: ${toUserError(error).message}`);
  }
}

export async function loadCheckpointFile(file: File): Promise<void> {
  try {
    checkInputSize(file.name, file.size, CHECKPOINT_FILE);
    const bytes = new Uint8Array(await file.arrayBuffer());
    // A reconstruction in flight must not lose its model under it.
    await stopDemo('a checkpoint was loaded');
    const info = await workbenchWorker().loadCheckpoint(bytes, file.name);
    setOwnModel('you loaded your own checkpoint');
    useModelStore.getState().setModel(info);
    useAnalysisStore.getState().markStale();
  } catch (error) {
    // The reader's refusals already say what to do (choose a checkpoint saved by fqlab, check the file).
    report(file.name, toUserError(error, file.name).message);
  }
}

/** Stores the current model in IndexedDB under a name; returns false when it could not. */
export async function storeCheckpoint(name: string): Promise<boolean> {
  const model = useModelStore.getState().model;
  if (!model) {
    report('', 'There is no model to store yet: train one or load a checkpoint.');
    return false;
  }
  try {
    const bytes = await workbenchWorker().saveCheckpoint();
    await putCheckpoint({ name, savedAt: new Date().toISOString(), model, bytes });
    return true;
  } catch (error) {
    report('', `Could not store the checkpoint in this browser: ${toUserError(error).message}`);
    return false;
  }
}

export async function restoreCheckpoint(name: string): Promise<void> {
  try {
    const stored = await getCheckpoint(name);
    if (!stored) return report('', `No stored checkpoint named "${name}"; it may have been deleted in another tab.`);
    await stopDemo('a checkpoint was loaded');
    const info = await workbenchWorker().loadCheckpoint(stored.bytes, `stored checkpoint "${name}"`);
    setOwnModel('you loaded your own checkpoint');
    useModelStore.getState().setModel(info);
    useAnalysisStore.getState().markStale();
  } catch (error) {
    report('', `Could not load the stored checkpoint "${name}": ${toUserError(error).message}`);
  }
}
