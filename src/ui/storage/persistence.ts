// Keeps the workbench across reloads: restores the stored files, cases, settings, model and compared models on load,
// saves changes as they happen, autosaves the model during training, and warns before the page is left while work would be lost.
import type { ModelInfo, TrainConfig } from '../../../workers/api.ts';
import { syncCases } from '../actions/dataActions.ts';
import { useDemoStore } from '../stores/demoStore.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useComparisonStore, type ComparisonEntry } from '../stores/comparisonStore.ts';
import { useDataStore, type CaseEntry } from '../stores/dataStore.ts';
import { useDiagnosticsStore } from '../stores/diagnosticsStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { useStorageStore } from '../stores/storageStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { clearCheckpoints, storedCheckpointBytes } from './checkpointDb.ts';
import {
  clearWorkspace,
  forgetComparisonModel,
  forgetFile,
  loadWorkspace,
  storeComparisonModel,
  storeFile,
  storeModel,
  storeSession,
  workspaceBytes,
  type AnalysisSettings,
  type StoredComparison,
  type StoredSession,
} from './workspaceDb.ts';

/** Changes are written this long after the last one, so a burst of edits is one write. */
const SAVE_DELAY_MS = 300;

/** File ids whose bytes are in the store. */
const storedFileIds = new Set<string>();
/** Model ids of compared models whose checkpoints are in the store. */
const storedComparisonIds = new Set<string>();
/** Settles once the stored comparison is back: a save before then would forget its models. */
let comparisonRestoration: Promise<void> = Promise.resolve();
let saveTimer: ReturnType<typeof setTimeout> | null = null;
/** Writes run one after another (a later snapshot must not be overtaken by an earlier one). */
let writes: Promise<void> = Promise.resolve();

function storageFailed(what: string, error: unknown): void {
  useStorageStore.getState().set({ active: false });
  useErrorStore.getState().report('', `Could not ${what} in this browser's storage (${toUserError(error).message}); this page keeps nothing more until it is reloaded. Save checkpoint files to keep a model.`);
}

/** Queues a write; counts it as pending (the page warns before unload meanwhile). */
function queueWrite(what: string, write: () => Promise<void>): Promise<void> {
  const storage = useStorageStore.getState();
  if (!storage.active) return Promise.resolve();
  storage.set({ pendingWrites: storage.pendingWrites + 1 });
  writes = writes
    .then(() => (useStorageStore.getState().active ? write() : undefined))
    .catch((error: unknown) => storageFailed(what, error))
    .finally(() => useStorageStore.getState().set({ pendingWrites: useStorageStore.getState().pendingWrites - 1 }));
  return writes;
}

function analysisSettings(): AnalysisSettings {
  const { alpha, alphaSource, structural, noiseLevel, seed, score, thresholdSource, fprTarget, manualThreshold } = useAnalysisStore.getState();
  return { alpha, alphaSource, structural, noiseLevel, seed, score, thresholdSource, fprTarget, manualThreshold };
}

/** The comparison's rows and seed count; forgets the checkpoints of rows that were removed. */
async function saveComparison(): Promise<StoredComparison> {
  await comparisonRestoration;
  const { entries, seedCount } = useComparisonStore.getState();
  for (const modelId of [...storedComparisonIds]) {
    if (entries.some((e) => e.modelId === modelId)) continue;
    await forgetComparisonModel(modelId);
    storedComparisonIds.delete(modelId);
  }
  const rows = entries.filter((e) => storedComparisonIds.has(e.modelId)).map(({ modelId, origin, noiseLevel, score, alpha }) => ({ modelId, origin, noiseLevel, score, alpha }));
  return { rows, seedCount };
}

/** Stores new files' bytes, forgets removed ones, and writes the session (the demo's own volumes are never kept). */
async function saveNow(): Promise<void> {
  const comparison = await saveComparison();
  const demo = useDemoStore.getState();
  const demoFiles = new Set(demo.fileIds);
  const data = useDataStore.getState();
  const own = data.files.filter((f) => !demoFiles.has(f.fileId));
  const notKept: string[] = [];
  for (const file of own) {
    if (storedFileIds.has(file.fileId)) continue;
    const bytes = workbenchWorker().fileBytes(file.fileId);
    if (bytes === null) {
      notKept.push(file.fileName); // DICOM series: the client keeps the folder's files, not one file to store
      continue;
    }
    await storeFile({ fileId: file.fileId, fileName: file.fileName, bytes });
    storedFileIds.add(file.fileId);
  }
  for (const fileId of [...storedFileIds]) {
    if (own.some((f) => f.fileId === fileId)) continue;
    await forgetFile(fileId);
    storedFileIds.delete(fileId);
  }
  const kept = own.filter((f) => storedFileIds.has(f.fileId));
  const keptIds = new Set(kept.map((f) => f.fileId));
  const caseFilesKept = (c: CaseEntry): boolean => [c.spec.imageFileId, c.spec.brainMaskFileId, c.spec.segFileId].every((id) => id === undefined || keptIds.has(id));
  const model = useModelStore.getState();
  const session: Omit<StoredSession, 'version'> = {
    files: kept.map(({ fileId, fileName, role }) => ({ fileId, fileName, role })),
    cases: data.cases.filter((c) => !demo.caseIds.includes(c.spec.caseId) && caseFilesKept(c)).map((c) => c.spec),
    smoothing: data.smoothing,
    trainConfig: model.config,
    autosaveEvery: model.autosaveEvery,
    analysis: analysisSettings(),
    viewerCaseId: useViewerStore.getState().caseId,
    comparison,
  };
  await storeSession(session);
  useStorageStore.getState().set({ notKept });
}

function scheduleSave(): void {
  if (!useStorageStore.getState().active || useStorageStore.getState().restoring) return;
  if (saveTimer !== null) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    saveTimer = null;
    void queueWrite('save the workbench', saveNow);
  }, SAVE_DELAY_MS);
}

/**
 * Keeps the current model (with its training state) as the one a reload restores; `run` says which training run it
 * belongs to and how many steps that run was asked for, so an interrupted run can be resumed.
 */
export function persistModel(info: ModelInfo, label: string, run: { config: TrainConfig; targetSteps: number } | null): Promise<void> {
  return queueWrite('keep the model', async () => {
    const bytes = await workbenchWorker().saveCheckpoint();
    const savedAt = new Date().toISOString();
    await storeModel({ savedAt, label, model: info, bytes, run });
    if (run) useModelStore.getState().set({ autosave: { step: info.step, targetSteps: run.targetSteps, savedAt } });
  });
}

/** Keeps a model just added to the comparison (its row's settings follow with the session). */
export function persistComparisonModel(modelId: string, bytes: Uint8Array): Promise<void> {
  return queueWrite('keep the compared model', async () => {
    await storeComparisonModel({ modelId, bytes });
    storedComparisonIds.add(modelId);
    await saveNow();
  });
}

/** Puts the stored comparison rows back (results are recomputed on the next run), after rows added meanwhile. */
async function restoreComparison(comparison: StoredComparison | undefined, models: Map<string, Uint8Array>): Promise<void> {
  for (const modelId of models.keys()) storedComparisonIds.add(modelId);
  if (!comparison) return;
  useComparisonStore.getState().set({ seedCount: comparison.seedCount });
  if (comparison.rows.length === 0) return;
  await backendSettled();
  const restored: ComparisonEntry[] = [];
  for (const row of comparison.rows) {
    const bytes = models.get(row.modelId);
    if (!bytes) continue;
    try {
      const info = await workbenchWorker().addComparisonModel(bytes, row.origin);
      restored.push({ ...row, info, result: null, failure: null });
    } catch (error) {
      useErrorStore.getState().report(row.origin, `could not be restored to the comparison: ${toUserError(error, row.origin).message} Add it again.`);
    }
  }
  const addedMeanwhile = useComparisonStore.getState().entries.filter((e) => !restored.some((r) => r.modelId === e.modelId));
  useComparisonStore.getState().set({ entries: [...restored, ...addedMeanwhile] });
}

function applySettings(session: StoredSession): void {
  useAnalysisStore.getState().set(session.analysis);
  useModelStore.getState().setConfig(session.trainConfig);
  useModelStore.getState().set({ autosaveEvery: session.autosaveEvery });
  useDataStore.getState().setSmoothing(session.smoothing);
}

/** Loads the stored files into the worker under their old ids; returns how many came back. */
async function restoreFiles(session: StoredSession, files: Map<string, { fileName: string; bytes: ArrayBuffer }>): Promise<number> {
  let restored = 0;
  for (const entry of session.files) {
    const stored = files.get(entry.fileId);
    if (!stored) continue;
    try {
      const info = await workbenchWorker().loadFile(entry.fileName, stored.bytes, entry.fileId);
      useDataStore.getState().addLoaded({ fileId: entry.fileId, fileName: entry.fileName, info, role: entry.role });
      storedFileIds.add(entry.fileId);
      restored++;
    } catch (error) {
      useErrorStore.getState().report(entry.fileName, `could not be restored from this browser's storage: ${toUserError(error, entry.fileName).message} Drop the file again.`);
    }
  }
  return restored;
}

let restoration: Promise<boolean> | null = null;

/**
 * Brings back what the last page kept: settings always; files, cases and the model when files were kept. Resolves
 * true when a workspace came back (the demo then stays closed), false when there was none.
 */
export function restoreWorkspace(): Promise<boolean> {
  restoration ??= (async () => {
    useStorageStore.getState().set({ restoring: true });
    try {
      const stored = await loadWorkspace();
      if (!stored.session) return false;
      applySettings(stored.session);
      // Compared models come back with or without files (they may have been compared on the demo).
      comparisonRestoration = restoreComparison(stored.session.comparison, stored.comparisonModels);
      if ((await restoreFiles(stored.session, stored.files)) === 0) return false;
      const loaded = new Set(useDataStore.getState().files.map((f) => f.fileId));
      const cases: CaseEntry[] = stored.session.cases
        .filter((spec) => loaded.has(spec.imageFileId))
        .map((spec) => ({ spec, status: 'pending', info: null, error: null, definedAs: null }));
      useDataStore.getState().setCases(cases);
      const viewerCaseId = stored.session.viewerCaseId;
      if (viewerCaseId !== null && cases.some((c) => c.spec.caseId === viewerCaseId)) useViewerStore.getState().setCaseId(viewerCaseId);
      if (stored.model) await restoreModel(stored.model.bytes, stored.model.label, stored.model.run);
      useStorageStore.getState().set({ restored: true });
      return true;
    } catch (error) {
      storageFailed('read what was kept', error);
      return false;
    } finally {
      useStorageStore.getState().set({ restoring: false });
      void syncCases();
      void refreshStorageSummary();
    }
  })();
  return restoration;
}

/** Resolves once the worker's backend has started (or failed): a model loaded before would pin tfjs to another backend. */
function backendSettled(): Promise<void> {
  return new Promise((resolve) => {
    if (useDiagnosticsStore.getState().workerStatus !== 'starting') return resolve();
    const unsubscribe = useDiagnosticsStore.subscribe((s) => {
      if (s.workerStatus === 'starting') return;
      unsubscribe();
      resolve();
    });
  });
}

async function restoreModel(bytes: Uint8Array, label: string, run: { config: TrainConfig; targetSteps: number } | null): Promise<void> {
  try {
    await backendSettled();
    const info = await workbenchWorker().loadCheckpoint(bytes, label);
    const model = useModelStore.getState();
    model.setModel(info);
    if (run && info.step < run.targetSteps) {
      model.setConfig(run.config);
      model.set({ interrupted: { step: info.step, targetSteps: run.targetSteps, savedAt: '' } });
    }
  } catch (error) {
    useErrorStore.getState().report(label, `could not be restored: ${toUserError(error, label).message} Train again or load a checkpoint file.`);
  }
}

/** True while leaving the page would lose work: training since the last autosave, writes in flight, files not kept. */
export function workAtRisk(): boolean {
  const storage = useStorageStore.getState();
  if (useModelStore.getState().status !== 'idle' || storage.pendingWrites > 0 || storage.notKept.length > 0) return true;
  const demoFiles = new Set(useDemoStore.getState().fileIds);
  return !storage.active && useDataStore.getState().files.some((f) => !demoFiles.has(f.fileId));
}

let started = false;

/** Saves every later change of files, cases and settings, and warns before unload while work is at risk. */
export function startPersistence(): void {
  if (started) return;
  started = true;
  useDataStore.subscribe((s, prev) => {
    if (s.files !== prev.files || s.cases !== prev.cases || s.smoothing !== prev.smoothing) scheduleSave();
  });
  useAnalysisStore.subscribe((s, prev) => {
    if (s.alpha !== prev.alpha || s.noiseLevel !== prev.noiseLevel || s.seed !== prev.seed || s.score !== prev.score) scheduleSave();
    else if (s.thresholdSource !== prev.thresholdSource || s.fprTarget !== prev.fprTarget || s.manualThreshold !== prev.manualThreshold) scheduleSave();
    else if (s.alphaSource !== prev.alphaSource || s.structural !== prev.structural) scheduleSave();
  });
  useModelStore.subscribe((s, prev) => {
    if (s.config !== prev.config || s.autosaveEvery !== prev.autosaveEvery) scheduleSave();
  });
  useViewerStore.subscribe((s, prev) => {
    if (s.caseId !== prev.caseId) scheduleSave();
  });
  useDemoStore.subscribe((s, prev) => {
    if (s.fileIds !== prev.fileIds) scheduleSave();
  });
  useComparisonStore.subscribe((s, prev) => {
    const rowSettings = (entries: ComparisonEntry[]) => entries.map(({ modelId, noiseLevel, score, alpha }) => [modelId, noiseLevel, score, alpha].join(' ')).join('|');
    if (s.seedCount !== prev.seedCount || rowSettings(s.entries) !== rowSettings(prev.entries)) scheduleSave();
  });
  window.addEventListener('beforeunload', (event) => {
    if (!workAtRisk()) return;
    event.preventDefault();
    event.returnValue = ''; // older browsers show the dialog only when this is set
  });
}

/** Counts what is stored, for the storage panel. */
export async function refreshStorageSummary(): Promise<void> {
  try {
    const workspace = await workspaceBytes();
    const checkpoints = await storedCheckpointBytes();
    useStorageStore.getState().set({ summary: { ...workspace, checkpoints: checkpoints.count, checkpointBytes: checkpoints.bytes } });
  } catch (error) {
    useStorageStore.getState().set({ summary: null });
    useErrorStore.getState().report('', `Could not read this browser's storage (${toUserError(error).message}).`);
  }
}

/** Deletes everything this workbench stored in the browser; the page then keeps nothing more until it is reloaded. */
export async function clearEverythingStored(): Promise<void> {
  useStorageStore.getState().set({ active: false });
  if (saveTimer !== null) clearTimeout(saveTimer);
  await writes;
  try {
    await clearWorkspace();
    await clearCheckpoints();
    storedFileIds.clear();
    storedComparisonIds.clear();
    useModelStore.getState().set({ autosave: null, interrupted: null });
  } catch (error) {
    useErrorStore.getState().report('', `Could not clear this browser's storage: ${toUserError(error).message}`);
  }
  await refreshStorageSummary();
}
