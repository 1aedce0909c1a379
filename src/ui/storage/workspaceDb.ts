// The workbench kept in this browser's IndexedDB (idb-keyval): loaded files, cases and settings, and the autosaved model.
import { clear, createStore, del, entries, get, set } from 'idb-keyval';
import type { CaseSpec, ModelInfo, TrainConfig, VolumeRole } from '../../../workers/api.ts';
import type { AnalysisState } from '../stores/analysisStore.ts';

/** The analysis settings a reload keeps (not the results, which are recomputed). */
export type AnalysisSettings = Pick<
  AnalysisState,
  'alpha' | 'alphaSource' | 'structural' | 'noiseLevel' | 'seed' | 'score' | 'thresholdSource' | 'fprTarget' | 'manualThreshold'
>;

const store = createStore('fqlab-workspace', 'records');

const SESSION_KEY = 'session';
const MODEL_KEY = 'model';
const FILE_PREFIX = 'file:';
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

export function forgetModel(): Promise<void> {
  return del(MODEL_KEY, store);
}

/** What the last page kept (records of another version are skipped). */
export async function loadWorkspace(): Promise<StoredWorkspace> {
  const all = await entries<IDBValidKey, unknown>(store);
  const files = new Map<string, StoredFile>();
  for (const [key, value] of all) {
    if (typeof key === 'string' && key.startsWith(FILE_PREFIX)) {
      const file = value as StoredFile;
      files.set(file.fileId, file);
    }
  }
  const session = await get<StoredSession>(SESSION_KEY, store);
  const model = await get<StoredModel>(MODEL_KEY, store);
  return {
    session: session?.version === WORKSPACE_VERSION ? session : null,
    files,
    model: model?.version === WORKSPACE_VERSION ? model : null,
  };
}

/** Bytes of the stored files and model, counted from the records (what "clear" frees, roughly). */
export async function workspaceBytes(): Promise<{ files: number; fileBytes: number; modelBytes: number }> {
  let files = 0;
  let fileBytes = 0;
  let modelBytes = 0;
  for (const [key, value] of await entries<IDBValidKey, unknown>(store)) {
    if (typeof key === 'string' && key.startsWith(FILE_PREFIX)) {
      files++;
      fileBytes += (value as StoredFile).bytes.byteLength;
    } else if (key === MODEL_KEY) modelBytes += (value as StoredModel).bytes.byteLength;
  }
  return { files, fileBytes, modelBytes };
}

export function clearWorkspace(): Promise<void> {
  return clear(store);
}
