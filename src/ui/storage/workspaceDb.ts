// The workbench kept in this browser's IndexedDB (idb-keyval): loaded files, cases and settings, the autosaved model and
// the models kept for the comparison view.
import { clear, createStore, del, entries, get, set } from 'idb-keyval';
import type { CaseSpec, ModelInfo, TrainConfig, VolumeRole } from '../../../workers/api.ts';
import type { AnalysisState } from '../stores/analysisStore.ts';
import type { ComparisonEntry } from '../stores/comparisonStore.ts';

/** The analysis settings a reload keeps (not the results, which are recomputed). */
export type AnalysisSettings = Pick<
  AnalysisState,
  'alpha' | 'alphaSource' | 'structural' | 'noiseLevel' | 'seed' | 'score' | 'thresholdSource' | 'fprTarget' | 'manualThreshold'
>;

const store = createStore('fqlab-workspace', 'records');

const SESSION_KEY = 'session';
const MODEL_KEY = 'model';
const FILE_PREFIX = 'file:';
const COMPARISON_PREFIX = 'comparison:';
/** Bumped when the stored shapes change; older records are then ignored rather than misread. */
const WORKSPACE_VERSION = 1;

/** A loaded file's bytes as read, under the worker's file id (restored with that id so case specs stay valid). */
export interface StoredFile {
  fileId: string;
  fileName: string;
  bytes: ArrayBuffer;
}

/** Everything but the bytes: which files with which roles, the cases built from them, and the settings. */
export interface StoredSession {
  version: number;
  files: { fileId: string; fileName: string; role: VolumeRole }[];
  cases: CaseSpec[];
  smoothing: boolean;
  trainConfig: TrainConfig;
  autosaveEvery: number;
  analysis: AnalysisSettings;
  viewerCaseId: string | null;
  /** The comparison's rows in order and its seed count (absent in sessions stored before the comparison was kept). */
  comparison?: StoredComparison;
}

/** The comparison view's rows with the settings each is scored at (results are recomputed), and its seed count. */
export interface StoredComparison {
  rows: Pick<ComparisonEntry, 'modelId' | 'origin' | 'noiseLevel' | 'score' | 'alpha'>[];
  seedCount: number;
}

/** A compared model's checkpoint, under its model id (a content hash). */
export interface StoredComparisonModel {
  modelId: string;
  bytes: Uint8Array;
}

/** The current model's checkpoint; `run` is set for a model trained here, with the steps its run was asked for. */
export interface StoredModel {
  version: number;
  savedAt: string;
  label: string;
  model: ModelInfo;
  bytes: Uint8Array;
  run: { config: TrainConfig; targetSteps: number } | null;
}

export interface StoredWorkspace {
  session: StoredSession | null;
  files: Map<string, StoredFile>;
  model: StoredModel | null;
  /** Compared models' checkpoints by model id. */
  comparisonModels: Map<string, Uint8Array>;
}

export function storeFile(file: StoredFile): Promise<void> {
  return set(FILE_PREFIX + file.fileId, file, store);
}

export function forgetFile(fileId: string): Promise<void> {
  return del(FILE_PREFIX + fileId, store);
}

export function storeSession(session: Omit<StoredSession, 'version'>): Promise<void> {
  return set(SESSION_KEY, { version: WORKSPACE_VERSION, ...session }, store);
}

export function storeModel(model: Omit<StoredModel, 'version'>): Promise<void> {
  return set(MODEL_KEY, { version: WORKSPACE_VERSION, ...model }, store);
}

export function storeComparisonModel(model: StoredComparisonModel): Promise<void> {
  return set(COMPARISON_PREFIX + model.modelId, model, store);
}

export function forgetComparisonModel(modelId: string): Promise<void> {
  return del(COMPARISON_PREFIX + modelId, store);
}

export function forgetModel(): Promise<void> {
  return del(MODEL_KEY, store);
}

/** What the last page kept (records of another version are skipped). */
export async function loadWorkspace(): Promise<StoredWorkspace> {
  const all = await entries<IDBValidKey, unknown>(store);
  const files = new Map<string, StoredFile>();
  const comparisonModels = new Map<string, Uint8Array>();
  for (const [key, value] of all) {
    if (typeof key === 'string' && key.startsWith(FILE_PREFIX)) {
      const file = value as StoredFile;
      files.set(file.fileId, file);
    } else if (typeof key === 'string' && key.startsWith(COMPARISON_PREFIX)) {
      const compared = value as StoredComparisonModel;
      comparisonModels.set(compared.modelId, compared.bytes);
    }
  }
  const session = await get<StoredSession>(SESSION_KEY, store);
  const model = await get<StoredModel>(MODEL_KEY, store);
  return {
    session: session?.version === WORKSPACE_VERSION ? session : null,
    files,
    model: model?.version === WORKSPACE_VERSION ? model : null,
    comparisonModels,
  };
}

/** Bytes of the stored files, model and compared models, counted from the records (what "clear" frees, roughly). */
export async function workspaceBytes(): Promise<{ files: number; fileBytes: number; modelBytes: number; comparedModels: number; comparedBytes: number }> {
  let files = 0;
  let fileBytes = 0;
  let modelBytes = 0;
  let comparedModels = 0;
  let comparedBytes = 0;
  for (const [key, value] of await entries<IDBValidKey, unknown>(store)) {
    if (typeof key === 'string' && key.startsWith(FILE_PREFIX)) {
      files++;
      fileBytes += (value as StoredFile).bytes.byteLength;
    } else if (typeof key === 'string' && key.startsWith(COMPARISON_PREFIX)) {
      comparedModels++;
      comparedBytes += (value as StoredComparisonModel).bytes.byteLength;
    } else if (key === MODEL_KEY) modelBytes += (value as StoredModel).bytes.byteLength;
  }
  return { files, fileBytes, modelBytes, comparedModels, comparedBytes };
}

export function clearWorkspace(): Promise<void> {
  return clear(store);
}
