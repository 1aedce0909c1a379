// Comparison actions: keep models in the worker for comparison (the current one, checkpoint files), then score them all on the same cases over seeds.
import type { ModelInfo, ScoreKind, ScoreRequest } from '../../../workers/api.ts';
import { checkInputSize, CHECKPOINT_FILE } from '../../core/inputLimits.ts';
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import { useDemoTableStore } from '../stores/demoTableStore.ts';
import { persistComparisonModel } from '../storage/persistence.ts';
import { useComparisonStore, type ComparisonEntry } from '../stores/comparisonStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';

/** The paper's setting for a model: IQA models at noise level 750 with the FQ map at their alpha, the others at 500 with l1 (thresh: l1 only). */
export function paperSettings(info: ModelInfo): Pick<ComparisonEntry, 'noiseLevel' | 'score' | 'alpha'> {
  const iqa = info.loss === 'fq' && info.method !== 'thresh';
  const score: ScoreKind = iqa ? 'fq' : 'l1';
  return { noiseLevel: iqa ? PAPER_PROTOCOL.noiseLevel.pddpmIqa : PAPER_PROTOCOL.noiseLevel.pddpm, score, alpha: info.alpha };
}

/** Adds a row for a model the worker now holds, and keeps its checkpoint in this browser for the next visit. */
function addEntry(info: ModelInfo, origin: string, bytes: Uint8Array): void {
  const { entries, set } = useComparisonStore.getState();
  if (entries.some((e) => e.modelId === info.modelId)) {
    useErrorStore.getState().report(origin, 'is already in the comparison (the same weights); nothing was added.');
    return;
  }
  set({ entries: [...entries, { modelId: info.modelId, origin, info, ...paperSettings(info), result: null, failure: null }] });
  void persistComparisonModel(info.modelId, bytes);
}

/** Keeps the current model (trained, loaded or the demo's) in the worker for the comparison. */
export async function addCurrentModelToComparison(): Promise<void> {
  const model = useModelStore.getState().model;
  if (!model) return;
  const origin = `current model (${model.method} ${model.preset}, step ${model.step})`;
  try {
    const bytes = await workbenchWorker().saveCheckpoint();
    addEntry(await workbenchWorker().addComparisonModel(bytes, origin), origin, bytes);
  } catch (error) {
    const { fileName, message } = toUserError(error);
    useErrorStore.getState().report(fileName || origin, `could not be added to the comparison: ${message}`);
  }
}

/** Adds a checkpoint file (any method) to the comparison without making it the current model. */
export async function addCheckpointFileToComparison(file: File): Promise<void> {
  try {
    checkInputSize(file.name, file.size, CHECKPOINT_FILE);
    const bytes = new Uint8Array(await file.arrayBuffer());
    addEntry(await workbenchWorker().addComparisonModel(bytes, file.name), file.name, bytes);
  } catch (error) {
    const { fileName, message } = toUserError(error);
    useErrorStore.getState().report(fileName || file.name, `could not be added to the comparison: ${message}`);
  }
}

export async function removeFromComparison(modelId: string): Promise<void> {
  useComparisonStore.getState().set({ entries: useComparisonStore.getState().entries.filter((e) => e.modelId !== modelId) });
  // The demo's table may score the same weights (e.g. a shipped checkpoint added again): the worker keeps them for it.
  if (useDemoTableStore.getState().entries.some((e) => e.modelId === modelId)) return;
  try {
    await workbenchWorker().removeComparisonModel(modelId);
  } catch (error) {
    const { fileName, message } = toUserError(error);
    useErrorStore.getState().report(fileName, `The compared model could not be released: ${message}`);
  }
}

/** A row's noise level, score or alpha changed: its result no longer describes it. */
export function setComparisonSettings(modelId: string, patch: Partial<Pick<ComparisonEntry, 'noiseLevel' | 'score' | 'alpha'>>): void {
  useComparisonStore.getState().updateEntry(modelId, { ...patch, result: null, failure: null });
}

/** The validation and test cases that are ready: every model is scored on exactly these. */
function comparisonCaseIds(): string[] {
  return useDataStore
    .getState()
    .cases.filter((c) => c.status === 'ready' && c.spec.split !== 'healthy-train')
    .map((c) => c.spec.caseId);
}

/** What is missing before the comparison can run, or null when it can. */
export function comparisonBlocker(): string | null {
  if (useComparisonStore.getState().entries.length === 0) return 'Add models first: the current one, or checkpoint files.';
  if (comparisonCaseIds().length === 0) return 'Assign at least one loaded case to validation or test (Data panel).';
  return null;
}

/**
 * Scores every model on the same validation and test cases at its own settings over seeds 0 .. n-1 (threshold: the
 * reference's search on the validation cases), as `fqlab evaluate --seeds n` does for one model.
 */
export async function runComparison(): Promise<void> {
  const store = useComparisonStore.getState();
  const blocker = comparisonBlocker();
  if (blocker) return useErrorStore.getState().report('', blocker);
  if (store.progress) return;
  const caseIds = comparisonCaseIds();
  const seeds = Array.from({ length: store.seedCount }, (_, seed) => seed);
  const entries = store.entries;
  const total = entries.length;
  store.set({ progress: { done: 0, total: 1 } });
  try {
    for (const [index, entry] of entries.entries()) {
      const report = (p: { done: number; total: number }, part: number) =>
        useComparisonStore.getState().set({ progress: { done: (index + (part + p.done / Math.max(1, p.total)) / 2) * 1000, total: total * 1000 } });
      const request: ScoreRequest = { modelId: entry.modelId, noiseLevel: entry.noiseLevel, seed: seeds[0], alpha: entry.alpha, score: entry.score, thresholdSource: 'validation-search' };
      try {
        await workbenchWorker().reconstruct({ modelId: entry.modelId, caseIds, noiseLevel: entry.noiseLevel, seed: seeds[0] }, (p) => report(p, 0));
        const result = await workbenchWorker().scoreSeeds(request, seeds, (p) => report(p, 1));
        // Settings changed meanwhile: this result no longer describes the row.
        const now = useComparisonStore.getState().entries.find((e) => e.modelId === entry.modelId);
        if (now && now.noiseLevel === entry.noiseLevel && now.score === entry.score && now.alpha === entry.alpha) {
          useComparisonStore.getState().updateEntry(entry.modelId, { result, failure: null });
        }
      } catch (error) {
        const { message } = toUserError(error);
        useComparisonStore.getState().updateEntry(entry.modelId, { result: null, failure: message });
      }
    }
  } finally {
    useComparisonStore.getState().set({ progress: null });
  }
}
