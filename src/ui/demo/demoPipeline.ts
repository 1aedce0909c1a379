// Opens the shipped demo on page load (or a track the user picks): a script over the public actions that fetches a track's files and checkpoint, loads them, and runs inference case by case.
import { runInference, setInferenceSettings } from '../actions/analysisActions.ts';
import { JobStopped, startForegroundJob } from '../actions/cancellation.ts';
import { unloadDemoData } from '../actions/dataActions.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { setDemo, useDemoStore, type DemoModelId, type DemoTrackId } from '../stores/demoStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { startLoader } from './demoCaseLoader.ts';
import { DemoFailure, fetchBytes, loadManifest, loadRealResults, realTrackInfo } from './demoFiles.ts';
import { demoCaseOrder, demoEvaluationCases } from './demoManifest.ts';
import { ensureModel } from './demoModel.ts';
import { DEFAULT_DEMO_MODEL, DEMO_TRACKS, demoAutoStart, demoTrackFromAddress } from './demoSettings.ts';
import { computeDemoTable } from './demoTable.ts';

/** Whether no demo run has started yet on this page. */
let firstRun = true;

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