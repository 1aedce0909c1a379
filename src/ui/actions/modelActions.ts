// Model actions: train in autosaved stretches with live progress, pause/resume/cancel, resume after a reload, and checkpoints as files or in IndexedDB.
import { defaultGanSteps, type MethodName, type MethodOptions, type MethodSummary, type TrainConfig } from '../../../workers/api.ts';
import { checkInputSize, CHECKPOINT_FILE } from '../../core/inputLimits.ts';
import { useDemoStore } from '../stores/demoStore.ts';
import { downloadBytes } from '../export/download.ts';
import { checkpointFileName } from '../export/cliCommand.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { nextAutosaveStep, useModelStore } from '../stores/modelStore.ts';
import { getCheckpoint, putCheckpoint } from '../storage/checkpointDb.ts';
import { persistModel } from '../storage/persistence.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { stopForegroundJob } from './cancellation.ts';

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

/** Asks the worker for its method registry once (the Model panel's method and preset choices). */
export async function loadMethods(): Promise<void> {
  if (useModelStore.getState().methods) return;
  try {
    useModelStore.getState().set({ methods: await workbenchWorker().methods() });
  } catch (error) {
    const { fileName, message } = toUserError(error);
    report(fileName, `The list of methods could not be read from the compute worker: ${message}`);
  }
}

/** A method's presets (those of the chosen vae variant) from smallest to largest: the order a browser user should try them in. */
export function presetsBySize(method: MethodSummary, options: MethodOptions = {}): MethodSummary['presets'] {
  const variant = method.variants?.find((v) => v.variant === options.vaeVariant);
  return [...(variant?.presets ?? method.presets)].sort((a, b) => a.parameters - b.parameters);
}

/** Switches the method; a preset it lacks becomes its smallest one, and a batch in another unit (svae: volumes) its default. */
export function chooseMethod(name: MethodName): void {
  const { config, methods, setConfig } = useModelStore.getState();
  const method = methods?.find((m) => m.name === name);
  if (!method) return;
  const keepsPreset = method.presets.some((p) => p.preset === config.preset);
  const previous = methods?.find((m) => m.name === (config.method ?? 'pddpm'));
  const keepsBatch = previous?.batchUnit === method.batchUnit;
  // Options belong to one method, so another method starts from its defaults.
  const methodOptions = name === (config.method ?? 'pddpm') ? config.methodOptions : undefined;
  setConfig({ method: name, methodOptions, preset: keepsPreset ? config.preset : presetsBySize(method)[0].preset, ...(keepsBatch ? {} : { batchSize: method.defaultBatch }) });
}

/** The worker now holds the user's own model, not a demo checkpoint; the demo status says how to go back. */
function setOwnModel(how: string): void {
  const demo = useDemoStore.getState();
  const shown = demo.phase !== 'off' && demo.phase !== 'closed';
  demo.set(shown ? { modelId: null, phase: 'paused', step: `Demo paused: ${how}; pick a demo model to go back to it.` } : { modelId: null });
}

/** Resolves once the user is no longer pausing (a pause between two stretches is held here, not in the worker). */
function untilNotPaused(): Promise<void> {
  return new Promise((resolve) => {
    if (useModelStore.getState().status !== 'paused') return resolve();
    const unsubscribe = useModelStore.subscribe((s) => {
      if (s.status === 'paused') return;
      unsubscribe();
      resolve();
    });
  });
}

/**
 * Trains in stretches that end at autosave steps (resume is bit-exact, so the losses are those of one uninterrupted
 * run) and keeps the model in this browser after each, so a reload can resume where training stopped. With
 * `continueInterrupted` it continues the run a reload interrupted (its model was restored on load).
 */
async function runTraining(continueInterrupted: boolean): Promise<void> {
  const model = useModelStore.getState();
  if (model.status !== 'idle') return;
  const blocker = trainingBlocker(model.config);
  if (blocker) return report('', blocker);
  const interrupted = continueInterrupted ? model.interrupted : null;
  if (continueInterrupted && !interrupted) return;
  const config = model.config;
  const targetSteps = interrupted?.targetSteps ?? config.steps;
  const run = { config: { ...config, steps: targetSteps }, targetSteps };
  model.startRun();
  model.set({ interrupted: null, autosave: null });
  try {
    await stopForegroundJob('training started');
    let step = interrupted?.step ?? 0;
    while (step < targetSteps) {
      await untilNotPaused();
      if (useModelStore.getState().status === 'cancelling') return;
      const end = nextAutosaveStep(step, targetSteps, model.autosaveEvery, config.evaluateEvery);
      // f-AnoGAN's stage split follows the whole run, not its first stretch (the checkpoint keeps it for the others).
      const split = config.method === 'fanogan' ? { methodOptions: { ...config.methodOptions, ganSteps: config.methodOptions?.ganSteps ?? defaultGanSteps(targetSteps) } } : {};
      const info = await workbenchWorker().train({ ...config, ...split, steps: end, resume: step > 0 }, (progress) =>
        useModelStore.getState().recordProgress({
          ...progress,
          totalSteps: targetSteps,
          etaSeconds: progress.slicesPerSecond > 0 ? ((targetSteps - progress.step) * config.batchSize) / progress.slicesPerSecond : 0,
        }),
      );
      if (step === (interrupted?.step ?? 0)) setOwnModel('you trained your own model');
      useModelStore.getState().setModel(info);
      await persistModel(info, `training run autosaved at step ${info.step}`, run);
      if (info.step <= step || info.step < end) break; // stopped early (time limit): nothing more to run
      step = info.step;
    }
    useAnalysisStore.getState().markStale();
  } catch (error) {
    const { fileName, message } = toUserError(error);
    if (useModelStore.getState().status !== 'cancelling') report(fileName, `Training stopped: ${message}`);
  } finally {
    // A cancelled run is over: what a reload restores is its last stretch, without the offer to resume it.
    const kept = useModelStore.getState().model;
    if (useModelStore.getState().status === 'cancelling' && kept && useModelStore.getState().autosave) {
      void persistModel(kept, `training run cancelled after step ${kept.step}`, null);
      useModelStore.getState().set({ autosave: null });
    }
    useModelStore.getState().setStatus('idle');
  }
}

export function trainModel(): Promise<void> {
  return runTraining(false);
}

/** Continues the training run a reload interrupted, from its last autosaved step. */
export function resumeInterruptedTraining(): Promise<void> {
  return runTraining(true);
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

export async function downloadCheckpoint(): Promise<void> {
  try {
    const bytes = await workbenchWorker().saveCheckpoint();
    downloadBytes(checkpointFileName(useModelStore.getState().model), bytes);
  } catch (error) {
    report('', `Could not save the checkpoint: ${toUserError(error).message}`);
  }
}

/** Makes a checkpoint the worker's current model (`fileName` names it in errors); errors go to the caller. */
export async function loadCheckpoint(bytes: Uint8Array, fileName: string) {
  const info = await workbenchWorker().loadCheckpoint(bytes, fileName);
  useModelStore.getState().setModel(info);
  return info;
}

export async function loadCheckpointFile(file: File): Promise<void> {
  try {
    checkInputSize(file.name, file.size, CHECKPOINT_FILE);
    const bytes = new Uint8Array(await file.arrayBuffer());
    // A reconstruction in flight must not lose its model under it.
    await stopForegroundJob('a checkpoint was loaded');
    const info = await loadCheckpoint(bytes, file.name);
    setOwnModel('you loaded your own checkpoint');
    useModelStore.getState().set({ interrupted: null });
    useAnalysisStore.getState().markStale();
    void persistModel(info, file.name, null);
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
    await stopForegroundJob('a checkpoint was loaded');
    const info = await loadCheckpoint(stored.bytes, `stored checkpoint "${name}"`);
    setOwnModel('you loaded your own checkpoint');
    useModelStore.getState().set({ interrupted: null });
    useAnalysisStore.getState().markStale();
    void persistModel(info, `stored checkpoint "${name}"`, null);
  } catch (error) {
    report('', `Could not load the stored checkpoint "${name}": ${toUserError(error).message}`);
  }
}
