// Data-panel actions: read dropped files, hand them to the worker, keep cases conformed; every refusal lands on its file.
import type { CaseSpec, VolumeRole } from '../../../workers/api.ts';
import { guessRole } from '../../../workers/fileRoles.ts';
import { stopDemo } from '../demo/demoControl.ts';
import { useDemoStore } from '../demo/demoStore.ts';
import { reconcileCases, specSignature } from '../stores/caseGrouping.ts';
import { useDataStore, type CaseEntry } from '../stores/dataStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';

const NIFTI_NAME = /\.nii(\.gz)?$/i;

function reject(fileName: string, message: string): void {
  useDataStore.getState().addRejected({ fileName, message });
  useErrorStore.getState().report(fileName, message);
}

/** Loads dropped or picked files one by one; a bad file is refused with a message and never disturbs what is loaded. */
export async function addFiles(fileList: readonly File[]): Promise<void> {
  const store = useDataStore.getState();
  const files = [...fileList];
  store.setLoading(files.map((f) => f.name));
  await closeDemo();
  const added = new Set<string>();
  for (const file of files) {
    const shownName = file.webkitRelativePath || file.name;
    if (!NIFTI_NAME.test(file.name)) {
      reject(shownName, 'not a NIfTI file (expected .nii or .nii.gz); convert it to NIfTI or drop the right file.');
    } else if (useDataStore.getState().files.some((f) => f.fileName === shownName)) {
      reject(shownName, 'a file with this name is already loaded; remove it first if you want to replace it.');
    } else {
      try {
        const bytes = await file.arrayBuffer();
        const info = await workbenchWorker().loadFile(shownName, bytes);
        useDataStore.getState().addLoaded({ fileId: info.fileId, fileName: shownName, info, role: guessRole(shownName) });
        added.add(info.fileId);
      } catch (error) {
        const { message } = toUserError(error, shownName);
        reject(shownName, message);
      }
    }
    useDataStore.getState().setLoading(useDataStore.getState().loading.filter((name) => name !== file.name));
  }
  useDataStore.getState().setLoading([]);
  if (added.size > 0) regroup(added);
}

/**
 * The user's own files replace the demo: its run stops and its volumes and cases are unloaded (mixing them would mix
 * synthetic and real cases in one evaluation). The demo model stays loaded; a page reload brings the demo back.
 */
async function closeDemo(): Promise<void> {
  await stopDemo('your files replace it');
  const demo = useDemoStore.getState();
  if (demo.fileIds.length === 0) return;
  const demoFiles = new Set(demo.fileIds);
  const demoCases = new Set(demo.caseIds);
  demo.set({
    phase: 'closed',
    step: 'Demo closed: your files replaced its volumes (the demo model stays loaded). Reload the page to open the demo again.',
    fileIds: [],
    caseIds: [],
  });
  const data = useDataStore.getState();
  data.setCases(data.cases.filter((c) => !demoCases.has(c.spec.caseId)));
  for (const fileId of demoFiles) useDataStore.getState().removeFile(fileId);
  useAnalysisStore.getState().set({ evaluation: null, reconstruction: { status: 'none', done: 0, total: 0, noiseLevel: null, message: '' }, stale: false });
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
