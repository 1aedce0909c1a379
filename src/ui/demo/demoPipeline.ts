// Opens the shipped demo on page load (or a track the user picks): a script over the public actions that fetches a track's files and checkpoint, loads them, and runs inference case by case.
import type { CaseSpec, VolumeRole } from '../../../workers/api.ts';
import { resetAnalysis, runInference, setInferenceSettings } from '../actions/analysisActions.ts';
import { JobStopped, startForegroundJob } from '../actions/cancellation.ts';
import { addCase, loadFiles, unloadDemoData } from '../actions/dataActions.ts';
import { loadCheckpoint } from '../actions/modelActions.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDataStore, type CaseEntry } from '../stores/dataStore.ts';
import { useDemoStore, type DemoModelId, type DemoTrackId, type RealTrackInfo, type RealTrackResult } from '../stores/demoStore.ts';
import { useDiagnosticsStore } from '../stores/diagnosticsStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { demoCaseOrder, demoEvaluationCases, parseDemoManifest, type DemoCase, type DemoManifest } from './demoManifest.ts';
import { DEFAULT_DEMO_MODEL, DEMO_TRACKS, demoAutoStart, demoTrackFromAddress, demoUrl, type DemoModel, type DemoTrack } from './demoSettings.ts';
import { parseRealTrackResults } from './realTrackResults.ts';
import { computeDemoTable } from './demoTable.ts';

/** A demo step failed: the file it concerns and what to do, for the error banner. */
class DemoFailure extends Error {
  constructor(
    readonly fileName: string,
    message: string,
  ) {
    super(message);
  }
}

function setDemo(patch: Parameters<ReturnType<typeof useDemoStore.getState>['set']>[0]): void {
  useDemoStore.getState().set(patch);
}

/** Fetches one demo file from this page's origin; a failure says which file and what to do. */
async function fetchDemoFile(path: string, signal: AbortSignal): Promise<Response> {
  const shown = `demo/${path}`;
  let response: Response;
  try {
    response = await fetch(demoUrl(path), { signal });
  } catch (error) {
    if (signal.aborted) throw new JobStopped();
    throw new DemoFailure(shown, `could not be downloaded (${String(error)}); check that the page's server is still running, then click “Resume demo”.`);
  }
  if (!response.ok) {
    throw new DemoFailure(
      shown,
      `the server answered HTTP ${response.status}; the demo files are missing from this deployment (rebuild it with public/demo/, see public/demo/README.md). You can still drop your own files.`,
    );
  }
  return response;
}

async function fetchBytes(path: string, signal: AbortSignal): Promise<ArrayBuffer> {
  const response = await fetchDemoFile(path, signal);
  try {
    return await response.arrayBuffer();
  } catch (error) {
    if (signal.aborted) throw new JobStopped();
    throw new DemoFailure(`demo/${path}`, `the download broke off (${String(error)}); click “Resume demo” to try again.`);
  }
}

/** Parsed manifests by path under demo/ (the two real tracks share one). */
const manifestCache = new Map<string, DemoManifest>();
/** Whether no demo run has started yet on this page. */
let firstRun = true;

async function loadManifest(path: string, signal: AbortSignal): Promise<DemoManifest> {
  const cached = manifestCache.get(path);
  if (cached) return cached;
  const response = await fetchDemoFile(path, signal);
  let manifest: DemoManifest;
  try {
    manifest = parseDemoManifest(await response.json());
  } catch (error) {
    if (signal.aborted) throw new JobStopped();
    throw new DemoFailure(`demo/${path}`, `is not a valid demo manifest (${error instanceof Error ? error.message : String(error)}); regenerate it with npm run make-demo.`);
  }
  manifestCache.set(path, manifest);
  return manifest;
}

/** The real track's stored evaluation of one modality; a missing or broken file only leaves the numbers out (reported). */
async function loadRealResults(track: DemoTrack, signal: AbortSignal): Promise<RealTrackResult[]> {
  const path = `${track.folder}models/results.json`;
  try {
    const rows = parseRealTrackResults(await (await fetchDemoFile(path, signal)).json());
    return rows.filter((row) => row.modality === track.modality);
  } catch (error) {
    if (signal.aborted || error instanceof JobStopped) throw new JobStopped();
    const why = error instanceof DemoFailure ? error.message : `is not a valid results file (${error instanceof Error ? error.message : String(error)})`;
    useErrorStore.getState().report(`demo/${path}`, `${why}; the demo runs without the stored comparison (scripts/results/real-demo-table.sh writes it).`);
    return [];
  }
}

/** What the real-scan notice shows for this track's cases. */
function realTrackInfo(track: DemoTrack, manifest: DemoManifest, cases: readonly DemoCase[], results: RealTrackResult[]): RealTrackInfo {
  const credits = new Map(cases.flatMap((c) => (c.credit ? [[c.credit.source, c.credit] as const] : [])));
  const modality = track.modality ?? cases[0]?.modality ?? 'T2';
  const thresholdCase = cases.find((c) => c.split === 'validation' && c.files.seg)?.id ?? '';
  return { modality, credits: [...credits.values()], training: manifest.training[modality] ?? null, thresholdCase, results };
}

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

const SPLIT_RANK = { test: 0, validation: 1, 'healthy-train': 2 } as const;

/** Demo cases sit in the case list tests first, then validation, then training (the order they are worked on). */
function caseOrder(a: CaseEntry, b: CaseEntry): number {
  return SPLIT_RANK[a.spec.split] - SPLIT_RANK[b.spec.split] || a.spec.caseId.localeCompare(b.spec.caseId);
}

/** The files of a demo case with the role each gets. */
function caseFiles(demoCase: DemoCase): [VolumeRole, string][] {
  const files: [VolumeRole, string][] = [
    ['image', demoCase.files.image],
    ['brain-mask', demoCase.files.brainMask],
  ];
  if (demoCase.files.seg) files.push(['segmentation', demoCase.files.seg]);
  return files;
}

/** True when the case is already in the workbench from an earlier demo run. */
function alreadyLoaded(demoCase: DemoCase): boolean {
  return useDemoStore.getState().caseIds.includes(demoCase.id) && useDataStore.getState().cases.some((c) => c.spec.caseId === demoCase.id);
}

/** Loads one demo case's downloaded files and defines it (conformed as shipped); true when it is ready. */
async function loadCase(demoCase: DemoCase, downloads: Promise<ArrayBuffer[]>, signal: AbortSignal): Promise<boolean> {
  if (alreadyLoaded(demoCase)) return useDataStore.getState().cases.find((c) => c.spec.caseId === demoCase.id)?.status === 'ready';
  const files = caseFiles(demoCase);
  const bytes = await downloads;
  signal.throwIfAborted();
  const fileIds = new Map<VolumeRole, string>();
  for (const [i, [role, fileName]] of files.entries()) {
    const [outcome] = await loadFiles([{ fileName, bytes: bytes[i], role }]);
    if ('refusal' in outcome) {
      useErrorStore.getState().report(`demo/${fileName}`, `${outcome.refusal} — the demo skips case ${demoCase.id}.`);
      return false;
    }
    setDemo({ fileIds: [...useDemoStore.getState().fileIds, outcome.fileId] });
    fileIds.set(role, outcome.fileId);
  }
  const spec: CaseSpec = {
    caseId: demoCase.id,
    imageFileId: fileIds.get('image') ?? '',
    brainMaskFileId: fileIds.get('brain-mask'),
    modality: demoCase.modality,
    split: demoCase.split,
    conformed: true,
  };
  const segFileId = fileIds.get('segmentation');
  if (segFileId) spec.segFileId = segFileId;
  setDemo({ caseIds: [...useDemoStore.getState().caseIds, demoCase.id] });
  return addCase(spec, caseOrder);
}

/**
 * Loads the demo cases one after another in the background (downloading the next case while the worker parses
 * this one); `ready(id)` resolves when that case is in (false if it was skipped). A failed download stops the
 * loader: every case not yet loaded then rejects with that failure.
 */
function startLoader(order: readonly DemoCase[], folder: string, signal: AbortSignal): { ready: (caseId: string) => Promise<boolean>; finished: Promise<void> } {
  const settled = new Map<string, { promise: Promise<boolean>; resolve: (ok: boolean) => void; reject: (error: unknown) => void }>();
  for (const c of order) {
    let resolve: (ok: boolean) => void = () => undefined;
    let reject: (error: unknown) => void = () => undefined;
    const promise = new Promise<boolean>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined);
    settled.set(c.id, { promise, resolve, reject });
  }
  const download = (c: DemoCase | undefined): Promise<ArrayBuffer[]> => {
    if (!c || alreadyLoaded(c)) return Promise.resolve([]);
    const promise = Promise.all(caseFiles(c).map(([, name]) => fetchBytes(`${folder}${name}`, signal)));
    promise.catch(() => undefined);
    return promise;
  };
  const finished = (async () => {
    let loaded = 0;
    let next = download(order[0]);
    for (const [index, c] of order.entries()) {
      const entry = settled.get(c.id);
      const downloads = next;
      next = download(order[index + 1]);
      if (!entry) continue;
      try {
        signal.throwIfAborted();
        entry.resolve(await loadCase(c, downloads, signal));
        setDemo({ loadedCases: ++loaded });
      } catch (error) {
        for (const rest of settled.values()) rest.reject(error);
        throw error;
      }
    }
  })();
  finished.catch(() => undefined);
  return { ready: (caseId) => settled.get(caseId)?.promise ?? Promise.resolve(false), finished };
}

/** Loads a demo checkpoint into the worker unless it is the one already there. */
async function ensureModel(model: DemoModel, folder: string, checkpoint: Promise<ArrayBuffer>, signal: AbortSignal): Promise<void> {
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

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(0)} s`;
}

/** The demo's work: cases stream in while the first test case, the validation cases and the rest are reconstructed. */
async function demoWork(modelId: DemoModelId, trackId: DemoTrackId, signal: AbortSignal): Promise<void> {
  const track = DEMO_TRACKS[trackId];
  const model = track.models[modelId];
  // The first run counts from the page's start (what a visitor waits), later ones from the click.
  const since = firstRun ? 0 : performance.now();
  firstRun = false;
  let firstMapsMs: number | null = null;
  let firstDiceMs: number | null = null;
  setDemo({ phase: 'running', wantedModelId: modelId, wantedTrack: trackId, step: 'Loading the demo…' });
  let loader: ReturnType<typeof startLoader> | null = null;
  try {
    const manifest = await loadManifest(`${track.folder}manifest.json`, signal);
    const cases = manifest.cases.filter((c) => track.modality === null || c.modality === track.modality);
    if (useDemoStore.getState().track !== trackId && useDemoStore.getState().caseIds.length > 0) {
      setDemo({ step: 'Unloading the other demo track…' });
      // A run evaluates one track's cases only; the model is loaded anew.
      await unloadDemoData({ track: null, realTrack: null, modelId: null, loadedCases: 0 });
    }
    const results = manifest.track === 'real' ? await loadRealResults(track, signal) : [];
    setDemo({ track: trackId, realTrack: manifest.track === 'real' ? realTrackInfo(track, manifest, cases, results) : null });
    const order = demoCaseOrder(cases);
    const evaluationCases = demoEvaluationCases(cases);
    const slicesPerCase = manifest.slicesPerCase;
    setDemo({ totalCases: cases.length, attribution: manifest.attribution, slicesDone: 0, slicesTotal: evaluationCases.length * slicesPerCase });
    setInferenceSettings({ noiseLevel: model.noiseLevel, score: model.score });

    const checkpoint = fetchBytes(`${track.folder}models/${model.file}`, signal);
    checkpoint.catch(() => undefined);
    loader = startLoader(order, track.folder, signal);
    const first = evaluationCases[0];
    if (first) {
      setDemo({ step: `Loading ${first.id}…` });
      if (await loader.ready(first.id)) useViewerStore.getState().setCaseId(first.id);
    }
    await ensureModel(model, track.folder, checkpoint, signal);

    let reconstructed = 0;
    const caseLoader = loader;
    await runInference({
      caseIds: evaluationCases.map((c) => c.id),
      noiseLevel: model.noiseLevel,
      signal,
      beforeCase: async (caseId, index) => {
        const demoCase = evaluationCases[index];
        setDemo({ slicesDone: index * slicesPerCase });
        if (!(await caseLoader.ready(caseId))) return false;
        signal.throwIfAborted();
        if (useDataStore.getState().cases.find((c) => c.spec.caseId === caseId)?.status !== 'ready') return false;
        const what = demoCase.split === 'test' ? 'test case' : demoCase.files.seg ? 'validation case (for the threshold)' : 'healthy validation case';
        setDemo({ step: `Reconstructing ${what} ${caseId} at noise level ${model.noiseLevel} (${index + 1} of ${evaluationCases.length})…` });
        return true;
      },
      onProgress: (index, progress) => setDemo({ slicesDone: index * slicesPerCase + progress.done }),
      onCaseDone: async (_caseId, index) => {
        reconstructed++;
        firstMapsMs ??= performance.now() - since;
        if (firstDiceMs === null && typeof useAnalysisStore.getState().evaluation?.mean.dice.mean === 'number') firstDiceMs = performance.now() - since;
        if (index === 0) {
          // The worker answers file loads only between reconstructions: load every case now (a few seconds), so the
          // case list is complete while the rest is reconstructed.
          setDemo({ step: 'Loading the other demo cases…' });
          await caseLoader.finished;
        }
      },
    });
    await loader.finished;
    setDemo({ slicesDone: evaluationCases.length * slicesPerCase });
    const timing = [firstMapsMs !== null ? `first maps after ${seconds(firstMapsMs)}` : '', firstDiceMs !== null ? `Dice after ${seconds(firstDiceMs)}` : '']
      .filter((t) => t !== '')
      .join(', ');
    setDemo({
      phase: 'ready',
      step: `Demo ready: ${reconstructed} validation and test cases reconstructed at noise level ${model.noiseLevel} with ${model.label}${timing ? ` (${timing})` : ''}.`,
    });
    // The paper's table next, in the background of this run (anything that stops the demo stops it between cases).
    await computeDemoTable(evaluationCases, track, (file) => fetchBytes(`${track.folder}models/${file}`, signal), signal);
  } catch (error) {
    if (signal.aborted || error instanceof JobStopped) return;
    const failure = error instanceof DemoFailure ? error : new DemoFailure(toUserError(error).fileName, `${toUserError(error).message} — click “Resume demo” to try again.`);
    const workerRestarted = typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'worker-restarted';
    useErrorStore.getState().report(failure.fileName, `The demo stopped: ${failure.message}`);
    setDemo({ phase: 'failed', step: workerRestarted ? 'Demo stopped: the compute worker restarted.' : 'Demo stopped: see the message above.' });
  } finally {
    // A stopped run has ended only when its loader has too (a case half-loaded is finished, not left behind).
    await loader?.finished.catch(() => undefined);
  }
}

/** The demo's status line when something the user started stops its run. */
const DEMO_STATUS_LINE = {
  stopping: (why: string) => setDemo({ phase: 'stopping', step: `Stopping the demo (${why}): finishing the case in progress…` }),
  stopped: (why: string) => setDemo({ phase: 'paused', step: `Demo paused: ${why}.` }),
};

/**
 * Runs (or resumes) the demo with a demo model on a track, as the foreground job; stops any earlier job first. Cases and
 * reconstructions already done are reused; another track's cases are unloaded.
 */
export function runDemo(modelId: DemoModelId = useDemoStore.getState().wantedModelId, trackId: DemoTrackId = useDemoStore.getState().wantedTrack): Promise<void> {
  return startForegroundJob((signal) => demoWork(modelId, trackId, signal), DEMO_STATUS_LINE);
}

let opened = false;

/** Opens the demo once per page, unless the address says ?demo=off (React StrictMode runs effects twice). */
export function openDemoOnLoad(): void {
  if (opened || !demoAutoStart()) return;
  opened = true;
  void runDemo(DEFAULT_DEMO_MODEL, demoTrackFromAddress());
}
