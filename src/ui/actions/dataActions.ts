// Data-panel actions: read dropped files, hand them to the worker, keep cases conformed; every refusal lands on its file.
import { DICOM_PREAMBLE_BYTES, detachedHeaderAdvice, hasDicomPreamble, isDicomCandidate, scanFormatOf, SCAN_FORMATS_IN_WORDS } from '../../formats/scanFiles.ts';
import type { CaseSpec, VolumeRole } from '../../../workers/api.ts';
import { checkInputSize, NIFTI_FILE } from '../../core/inputLimits.ts';
import { guessRole } from '../../../workers/api.ts';
import { useDemoStore, type DemoState } from '../stores/demoStore.ts';
import { reconcileCases, specSignature } from '../stores/caseGrouping.ts';
import { useDataStore, type CaseEntry } from '../stores/dataStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { resetAnalysis } from './analysisActions.ts';
import { stopForegroundJob } from './cancellation.ts';
import type { PickedFile } from './droppedFiles.ts';

function reject(fileName: string, message: string): void {
  useDataStore.getState().addRejected({ fileName, message });
  useErrorStore.getState().report(fileName, message);
}

function isLoaded(fileName: string): boolean {
  return useDataStore.getState().files.some((f) => f.fileName === fileName);
}

function folderOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

/** What to do with the given files: scan files one by one, the other files grouped by folder as DICOM series. */
function sortPicked(picked: readonly PickedFile[]): { scans: PickedFile[]; dicomFolders: Map<string, PickedFile[]>; unknown: PickedFile[] } {
  const scans: PickedFile[] = [];
  const dicomFolders = new Map<string, PickedFile[]>();
  const unknown: PickedFile[] = [];
  for (const item of picked) {
    const name = item.file.name;
    if (name.startsWith('.')) continue; // .DS_Store and other hidden files that come with folders
    if (scanFormatOf(name) !== null || detachedHeaderAdvice(name) !== null) scans.push(item);
    else if (isDicomCandidate(name)) dicomFolders.set(folderOf(item.path), [...(dicomFolders.get(folderOf(item.path)) ?? []), item]);
    else unknown.push(item);
  }
  return { scans, dicomFolders, unknown };
}

async function startsLikeDicom(file: File): Promise<boolean> {
  return hasDicomPreamble(new Uint8Array(await file.slice(0, DICOM_PREAMBLE_BYTES).arrayBuffer()));
}

/** A scan file's bytes under its name, with its role when the caller knows it (else it is guessed from the name). */
export interface NamedBuffer {
  fileName: string;
  bytes: ArrayBuffer;
  role?: VolumeRole;
}

/** What became of one named buffer: its worker file id, or why it was refused (in words, for its file). */
export type LoadOutcome = { fileId: string } | { refusal: string };

/** Loads scan files into the worker one by one and lists them in the Data panel; refusals are returned for the caller to report. */
export async function loadFiles(buffers: readonly NamedBuffer[]): Promise<LoadOutcome[]> {
  const outcomes: LoadOutcome[] = [];
  for (const { fileName, bytes, role } of buffers) {
    try {
      const info = await workbenchWorker().loadFile(fileName, bytes);
      useDataStore.getState().addLoaded({ fileId: info.fileId, fileName, info, role: role ?? guessRole(fileName) });
      outcomes.push({ fileId: info.fileId });
    } catch (error) {
      outcomes.push({ refusal: toUserError(error, fileName).message });
    }
  }
  return outcomes;
}

async function loadScan(item: PickedFile, added: Set<string>): Promise<void> {
  if (isLoaded(item.path)) {
    reject(item.path, 'a file with this name is already loaded; remove it first if you want to replace it.');
    return;
  }
  let bytes: ArrayBuffer;
  try {
    checkInputSize(item.path, item.file.size, NIFTI_FILE); // refused before a huge file is read into memory
    bytes = await item.file.arrayBuffer();
  } catch (error) {
    reject(item.path, toUserError(error, item.path).message);
    return;
  }
  const [outcome] = await loadFiles([{ fileName: item.path, bytes }]);
  if ('fileId' in outcome) added.add(outcome.fileId);
  else reject(item.path, outcome.refusal);
}

/** One folder's DICOM files through dcm2niix in the worker; each series it holds becomes a loaded volume. */
async function loadDicomFolder(folder: string, items: readonly PickedFile[], added: Set<string>): Promise<void> {
  const shownName = folder || 'DICOM files';
  if (!(await Promise.all(items.map((item) => startsLikeDicom(item.file)))).some(Boolean)) {
    for (const item of items) reject(item.path, `is neither DICOM (no DICM marker) nor a scan file fqlab reads (${SCAN_FORMATS_IN_WORDS}); drop the right file.`);
    return;
  }
  try {
    for (const item of items) checkInputSize(item.path, item.file.size, NIFTI_FILE);
    const files = await Promise.all(items.map(async (item) => ({ path: item.path, bytes: new Uint8Array(await item.file.arrayBuffer()) })));
    for (const info of await workbenchWorker().loadDicomSeries(folder, files)) {
      if (isLoaded(info.fileName)) {
        await workbenchWorker().removeFile(info.fileId);
        reject(info.fileName, 'this DICOM series is already loaded; remove it first if you want to replace it.');
        continue;
      }
      useDataStore.getState().addLoaded({ fileId: info.fileId, fileName: info.fileName, info, role: guessRole(info.fileName) });
      added.add(info.fileId);
    }
  } catch (error) {
    reject(shownName, toUserError(error, shownName).message);
  }
}

/**
 * Loads dropped or picked files: NIfTI, MetaImage, NRRD and MGH/MGZ files one by one, DICOM files as one series per
 * folder (dcm2niix in the worker). A bad file is refused with a message and never disturbs what is loaded.
 */
export async function addFiles(picked: readonly PickedFile[]): Promise<void> {
  if (picked.length === 0) return;
  const store = useDataStore.getState();
  const { scans, dicomFolders, unknown } = sortPicked(picked);
  const dicomLabel = (folder: string, items: readonly PickedFile[]): string => `${folder || 'DICOM files'} (${items.length} DICOM files)`;
  store.setLoading([...scans.map((s) => s.path), ...[...dicomFolders].map(([folder, items]) => dicomLabel(folder, items))]);
  await closeDemo();
  const added = new Set<string>();
  const done = (name: string): void => useDataStore.getState().setLoading(useDataStore.getState().loading.filter((n) => n !== name));
  for (const item of unknown) reject(item.path, `is not a scan file fqlab reads (${SCAN_FORMATS_IN_WORDS}); convert it or drop the right file.`);
  for (const item of scans) {
    await loadScan(item, added);
    done(item.path);
  }
  for (const [folder, items] of dicomFolders) {
    await loadDicomFolder(folder, items, added);
    done(dicomLabel(folder, items));
  }
  useDataStore.getState().setLoading([]);
  if (added.size > 0) regroup(added);
}

/**
 * The user's own files replace the demo: its run stops and its volumes and cases are unloaded (mixing them would mix
 * synthetic and real cases in one evaluation). The demo model stays loaded; a page reload brings the demo back.
 */
async function closeDemo(): Promise<void> {
  await stopForegroundJob('your files replace it');
  if (useDemoStore.getState().fileIds.length === 0) return;
  await unloadDemoData({
    phase: 'closed',
    step: 'Demo closed: your files replaced its volumes (the demo model stays loaded). Reload the page to open the demo again.',
  });
}

/** Unloads the demo's volumes and cases, and the analysis of them; `demoPatch` says what the demo is now. */
export async function unloadDemoData(demoPatch: Partial<Omit<DemoState, 'set' | 'fileIds' | 'caseIds'>>): Promise<void> {
  const demo = useDemoStore.getState();
  const demoFiles = new Set(demo.fileIds);
  const demoCases = new Set(demo.caseIds);
  demo.set({ ...demoPatch, fileIds: [], caseIds: [] });
  const data = useDataStore.getState();
  data.setCases(data.cases.filter((c) => !demoCases.has(c.spec.caseId)));
  for (const fileId of demoFiles) useDataStore.getState().removeFile(fileId);
  resetAnalysis();
  useViewerStore.getState().setCaseId(null);
  await syncCases();
  for (const fileId of demoFiles) {
    try {
      await workbenchWorker().removeFile(fileId);
    } catch {
      // Already gone (e.g. the worker restarted without it): nothing to free.
    }
  }
}

/** Changes a file's role (image, brain mask, segmentation) and rebuilds the cases around it. */
export function setFileRole(fileId: string, role: VolumeRole): void {
  useDataStore.getState().setRole(fileId, role);
  regroup(new Set());
}

/** Unloads a file from the worker; cases that used it are rebuilt without it. */
export async function removeFile(fileId: string): Promise<void> {
  useDataStore.getState().removeFile(fileId);
  regroup(new Set());
  try {
    await workbenchWorker().removeFile(fileId);
  } catch (error) {
    const { fileName, message } = toUserError(error);
    useErrorStore.getState().report(fileName, `could not unload the file: ${message}`);
  }
}

/** Switches read-time smoothing for every scan; cases conformed from raw scans are conformed again. */
export function setSmoothing(smoothing: boolean): void {
  useDataStore.getState().setSmoothing(smoothing);
  void syncCases();
}

/** The spec as the worker gets it: with the session's smoothing switch, unless the files are already conformed. */
function specToDefine(spec: CaseSpec): CaseSpec {
  return spec.conformed ? spec : { ...spec, smoothing: useDataStore.getState().smoothing };
}

/** Edits a case's modality, split, brain mask or segmentation and conforms it again. */
export function editCase(caseId: string, patch: Partial<Omit<CaseSpec, 'caseId' | 'imageFileId'>>): void {
  useDataStore.getState().updateSpec(caseId, patch);
  void syncCases();
}

/** The same edit on several cases (the case list's bulk split), synced with the worker once. */
export function editCases(caseIds: readonly string[], patch: Partial<Omit<CaseSpec, 'caseId' | 'imageFileId'>>): void {
  const { updateSpec } = useDataStore.getState();
  for (const caseId of caseIds) updateSpec(caseId, patch);
  void syncCases();
}

/** Adds a case of loaded files (e.g. a demo case, conformed as shipped), placed by `order`, and conforms it; true once it is ready. */
export async function addCase(spec: CaseSpec, order: (a: CaseEntry, b: CaseEntry) => number): Promise<boolean> {
  const data = useDataStore.getState();
  const entry: CaseEntry = { spec, status: 'pending', info: null, error: null, definedAs: null };
  data.setCases([...data.cases, entry].sort(order));
  await syncCases();
  return useDataStore.getState().cases.find((c) => c.spec.caseId === spec.caseId)?.status === 'ready';
}

function regroup(newFileIds: ReadonlySet<string>): void {
  const { files, cases, setCases } = useDataStore.getState();
  setCases(reconcileCases(files, cases, newFileIds));
  void syncCases();
}

/** Cases the worker holds (caseId -> spec signature), to remove stale ones; a case here may no longer be in the store. */
const definedInWorker = new Map<string, string>();
let syncing: Promise<void> | null = null;
let syncAgain = false;

/** Brings the worker's cases in line with the store, one case at a time; reruns if the store changed meanwhile. */
export function syncCases(): Promise<void> {
  if (syncing) {
    syncAgain = true;
    return syncing;
  }
  syncing = (async () => {
    do {
      syncAgain = false;
      await syncOnce();
    } while (syncAgain);
  })().finally(() => {
    syncing = null;
  });
  return syncing;
}

async function syncOnce(): Promise<void> {
  const worker = workbenchWorker();
  const wanted = new Map(useDataStore.getState().cases.map((c) => [c.spec.caseId, specSignature(specToDefine(c.spec))]));
  for (const [caseId, signature] of [...definedInWorker]) {
    if (wanted.get(caseId) === signature) continue;
    definedInWorker.delete(caseId);
    try {
      await worker.removeCase(caseId);
    } catch {
      // The worker may already have dropped it (e.g. after a restart); nothing to undo.
    }
  }
  for (const entry of useDataStore.getState().cases) {
    const spec = specToDefine(entry.spec);
    const signature = specSignature(spec);
    if (definedInWorker.get(entry.spec.caseId) === signature) continue;
    await defineOne({ ...entry, spec }, signature);
  }
}

async function defineOne(entry: CaseEntry, signature: string): Promise<void> {
  const { caseId } = entry.spec;
  const data = useDataStore.getState();
  data.updateCase(caseId, { status: 'conforming', error: null });
  try {
    const info = await workbenchWorker().defineCase(entry.spec);
    definedInWorker.set(caseId, signature);
    useDataStore.getState().updateCase(caseId, { status: 'ready', info, error: null, definedAs: signature });
    useAnalysisStore.getState().markStale();
    const viewer = useViewerStore.getState();
    if (viewer.caseId === null) viewer.setCaseId(caseId);
    // Only the case on screen needs its layers reloaded (each reload recomputes its maps in the worker).
    else if (viewer.caseId === caseId) viewer.bumpLayers();
  } catch (error) {
    const imageName = data.files.find((f) => f.fileId === entry.spec.imageFileId)?.fileName ?? caseId;
    const { fileName, message } = toUserError(error, imageName);
    useDataStore.getState().updateCase(caseId, { status: 'error', info: null, error: `${fileName}: ${message}`, definedAs: null });
    useErrorStore.getState().report(fileName, message);
  }
}
