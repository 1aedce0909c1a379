// Analysis actions: reconstruct the evaluation cases at a noise level, then rescore (alpha, threshold) from the cache.
import { alphaMatters, type ScoreRequest } from '../../../workers/api.ts';
import { NO_RECONSTRUCTION, useAnalysisStore, type AnalysisState, type ReconstructionState } from '../stores/analysisStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { stopForegroundJob } from './cancellation.ts';
import { latestOnly, oneOutLatestWaiting } from './latestOnly.ts';

/** Validation and test cases (and healthy ones too when the threshold is an FPR target on healthy volumes). */
function evaluationCaseIds(): string[] {
  const fprOnHealthy = useAnalysisStore.getState().thresholdSource === 'fpr-target';
  return useDataStore
    .getState()
    .cases.filter((c) => c.status === 'ready' && (c.spec.split !== 'healthy-train' || fprOnHealthy))
    .map((c) => c.spec.caseId);
}

/** What is missing before inference can run, or null when it can. */
export function inferenceBlocker(): string | null {
  if (!useModelStore.getState().model) return 'Train a model or load a checkpoint first (Model panel).';
  if (useModelStore.getState().status !== 'idle') return 'Wait for training to finish, or cancel it.';
  if (evaluationCaseIds().length === 0) return 'Assign at least one loaded case to validation or test (Data panel).';
  return null;
}

/**
 * What the panel should show, said in full: the model and noise level that were reconstructed (not a noise level
 * still being edited), the seed and the current score settings. Null until a reconstruction with the current model
 * is done (after a new model the panel says to run inference again).
 */
function scoreRequest(): ScoreRequest | null {
  const a = useAnalysisStore.getState();
  const { status, modelId, noiseLevel } = a.reconstruction;
  if (status !== 'done' || modelId === null || noiseLevel === null || modelId !== useModelStore.getState().model?.modelId) return null;
  const request: ScoreRequest = {
    modelId,
    noiseLevel,
    seed: a.seed,
    alpha: a.alpha,
    alphaSource: a.alphaSource,
    score: a.score,
    structural: a.structural,
    thresholdSource: a.thresholdSource,
  };
  if (a.thresholdSource === 'manual') request.manualThreshold = a.manualThreshold;
  if (a.thresholdSource === 'fpr-target') request.fprTarget = a.fprTarget;
  if (a.prCaseId !== '') request.prCaseId = a.prCaseId;
  const viewCaseId = useViewerStore.getState().caseId;
  if (viewCaseId !== null) request.viewCaseId = viewCaseId;
  return request;
}

/** The reconstruction state of a run with a model at a noise level: `done` of `total` (slices while running, cases once done). */
function reconstructionState(status: 'running' | 'done', done: number, total: number, modelId: string | null, noiseLevel: number): ReconstructionState {
  return { status, done, total, modelId, noiseLevel, message: '' };
}

/**
 * Reconstructs cases with the current model at a noise level (the panel follows the progress), then scores the study.
 * A failed reconstruction is thrown for the caller to report (scoring reports its own).
 */
export async function reconstructAndScoreCases(caseIds: readonly string[], noiseLevel: number): Promise<void> {
  const modelId = useModelStore.getState().model?.modelId ?? null;
  const { seed } = useAnalysisStore.getState();
  useAnalysisStore.getState().set({ reconstruction: reconstructionState('running', 0, caseIds.length, modelId, noiseLevel) });
  await workbenchWorker().reconstruct({ modelId: modelId ?? '', caseIds: [...caseIds], noiseLevel, seed }, (progress) => {
    useAnalysisStore.getState().set({ reconstruction: reconstructionState('running', progress.done, progress.total, modelId, noiseLevel) });
  });
  useAnalysisStore.getState().set({ reconstruction: reconstructionState('done', caseIds.length, caseIds.length, modelId, noiseLevel), stale: false });
  await scoreNow();
}

/** Shows that a reconstruction failed, in the panel and the error banner (`what` names it, e.g. "Reconstruction failed"). */
export function reportReconstructionFailure(error: unknown, what: string, fallbackFileName = ''): void {
  const { fileName, message } = toUserError(error);
  useAnalysisStore.getState().set({ reconstruction: { ...NO_RECONSTRUCTION, status: 'error', message } });
  useErrorStore.getState().report(fileName || fallbackFileName, `${what}: ${message}`);
}

async function reconstructAndScore(noiseLevel: number): Promise<void> {
  const blocker = inferenceBlocker();
  if (blocker) {
    useErrorStore.getState().report('', blocker);
    return;
  }
  const modelId = useModelStore.getState().model?.modelId ?? null;
  useAnalysisStore.getState().set({ reconstruction: reconstructionState('running', 0, evaluationCaseIds().length, modelId, noiseLevel) });
  // The user's run takes over from the demo (whose finished cases are cached, so they are not redone).
  await stopForegroundJob('you started a reconstruction');
  try {
    await reconstructAndScoreCases(evaluationCaseIds(), noiseLevel);
  } catch (error) {
    reportReconstructionFailure(error, 'Reconstruction failed');
  }
}

/** Counts score requests: only the newest one's study is shown (the worker stops the older ones between cases). */
let scoreGeneration = 0;
/** The request whose viewed case is shown: a superseded request's viewed case still shows if it is newer than that. */
let viewedGeneration = 0;

/**
 * Sends the score request at once (a newer one supersedes it in the worker): the viewed case arrives first
 * (viewedCase; the viewer writes its map into the shown FQ volume), the whole study's metrics and threshold after it
 * (evaluation); `scoring` stays true, and the metrics say "updating…", until the newest request's study is in.
 * `onAnswered` is called once the viewed case arrived or the request ended, whichever is first.
 */
async function scoreNow(onAnswered: () => void = () => undefined): Promise<void> {
  const request = scoreRequest();
  if (!request) {
    onAnswered();
    return;
  }
  const generation = ++scoreGeneration;
  const isLatest = () => generation === scoreGeneration;
  useAnalysisStore.getState().set({ scoring: true, seedSummary: null });
  try {
    const evaluation = await workbenchWorker().score(request, (viewedCase) => {
      onAnswered();
      if (generation <= viewedGeneration) return;
      viewedGeneration = generation;
      useAnalysisStore.getState().set({ viewedCase });
    });
    // The viewer follows evaluation.key: it reloads exactly the layers whose key changed (not the FQ map its viewed
    // case already brought). No older viewed case may follow the study.
    if (isLatest()) {
      viewedGeneration = generation;
      useAnalysisStore.getState().set({ evaluation, viewedCase: null });
    }
  } catch (error) {
    if (!isLatest() || (error as { code?: unknown }).code === 'superseded') return;
    const { fileName, message } = toUserError(error);
    useErrorStore.getState().report(fileName, `Scoring failed: ${message}`);
  } finally {
    // First: a slider move waiting for this answer goes out now, and the metrics stay "updating…" for it.
    onAnswered();
    if (isLatest()) useAnalysisStore.getState().set({ scoring: false });
  }
}

/**
 * A slider move's score request: at most one out and one move waiting (the latest wins), the next sent once the one
 * out brought its viewed case (or ended). While the demo's table runs, the compute worker reads one message between
 * inference steps, so a drag that sent every move queued many seconds of stale requests there.
 */
const scoreSliderMove = oneOutLatestWaiting((answered) => void scoreNow(answered));

const reconstructLatest = latestOnly(reconstructAndScore);

/** A foreground job's inference (the demo's): its cases one at a time, rescored after each so the metrics fill in as cases arrive. */
export interface JobInference {
  caseIds: readonly string[];
  noiseLevel: number;
  /** Called before a case is reconstructed (it may wait for the case to load); false skips the case. */
  beforeCase: (caseId: string, index: number) => Promise<boolean>;
  /** Slices reconstructed of the case in progress. */
  onProgress: (index: number, progress: { done: number; total: number }) => void;
  /** Called once a case is reconstructed and the study rescored with it. */
  onCaseDone: (caseId: string, index: number) => Promise<void>;
  /** The job's signal: once it aborts, whoever stopped the job owns the analysis (finished cases stay cached for them). */
  signal: AbortSignal;
}

/** Reconstructs a job's cases one at a time with the current model; errors go to the job. */
async function runJobInference(job: JobInference): Promise<void> {
  let reconstructed = 0;
  for (const [index, caseId] of job.caseIds.entries()) {
    if (!(await job.beforeCase(caseId, index))) continue;
    job.signal.throwIfAborted();
    const modelId = useModelStore.getState().model?.modelId ?? null;
    const { seed } = useAnalysisStore.getState();
    await workbenchWorker().reconstruct({ modelId: modelId ?? '', caseIds: [caseId], noiseLevel: job.noiseLevel, seed }, (progress) => job.onProgress(index, progress));
    job.signal.throwIfAborted();
    reconstructed++;
    useAnalysisStore.getState().set({ reconstruction: reconstructionState('done', reconstructed, job.caseIds.length, modelId, job.noiseLevel), stale: false });
    await scoreNow();
    useAnalysisStore.getState().set({ stale: false });
    job.signal.throwIfAborted();
    await job.onCaseDone(caseId, index);
  }
}

/**
 * Without a job: the "run inference" button, which reconstructs the evaluation cases at the current noise level (after
 * stopping the foreground job), then scores; errors are reported. With a job: that job's cases, see JobInference.
 */
export function runInference(job?: JobInference): Promise<void> {
  return job ? runJobInference(job) : reconstructLatest(useAnalysisStore.getState().noiseLevel);
}

/** Forgets the maps, metrics and reconstruction state (e.g. of another model, or of cases that were unloaded). */
export function resetAnalysis(): void {
  useAnalysisStore.getState().set({ evaluation: null, viewedCase: null, seedSummary: null, reconstruction: NO_RECONSTRUCTION, stale: false });
}

/** The noise level, score kind (and alpha) a model is analysed at (a demo model's own), without reconstructing or rescoring. */
export function setInferenceSettings(settings: Partial<Pick<AnalysisState, 'noiseLevel' | 'score' | 'alpha'>>): void {
  useAnalysisStore.getState().set(settings);
}

/**
 * Alpha slider: rescore from cached reconstructions; each move supersedes the one before it. An l1 or SSIM-loss score
 * does not depend on alpha, so its metrics stay and only the FQ overlay follows the new alpha.
 */
export function setAlpha(alpha: number): void {
  const analysis = useAnalysisStore.getState();
  analysis.set({ alpha });
  // A chosen alpha ignores the slider (which is disabled then): nothing to rescore.
  if (analysis.alphaSource !== 'fixed') return;
  const { evaluation } = analysis;
  if (!alphaMatters(analysis.score)) {
    if (evaluation && evaluation.key.score === analysis.score) analysis.set({ evaluation: { ...evaluation, key: { ...evaluation.key, alpha } } });
    return;
  }
  scoreSliderMove();
}

/**
 * Mean ± std over seeds 0 .. seedCount-1 of the shown study, as `fqlab evaluate --seeds` reports them: the cases are
 * reconstructed at the other seeds (cached per seed), then each seed is scored with the current settings.
 */
export async function scoreOverSeeds(): Promise<void> {
  const request = scoreRequest();
  if (!request) return;
  const seeds = Array.from({ length: useAnalysisStore.getState().seedCount }, (_, seed) => seed);
  useAnalysisStore.getState().set({ seedSummary: null, seedProgress: { done: 0, total: 1 } });
  try {
    const summary = await workbenchWorker().scoreSeeds(request, seeds, (seedProgress) => useAnalysisStore.getState().set({ seedProgress }));
    const shown = useAnalysisStore.getState().evaluation;
    // A chosen alpha is the study's own per seed; a fixed one must still be the slider's.
    const sameAlpha = shown !== null && shown.alphaChoice.source === request.alphaSource && (request.alphaSource !== 'fixed' || shown.key.alpha === request.alpha);
    if (sameAlpha) useAnalysisStore.getState().set({ seedSummary: summary });
  } catch (error) {
    const { fileName, message } = toUserError(error);
    useErrorStore.getState().report(fileName, `Scoring over seeds failed: ${message}`);
  } finally {
    useAnalysisStore.getState().set({ seedProgress: null });
  }
}

/** A new PR case: only its curve is computed (from the cached maps); the metrics and threshold stay. */
async function showPrCurve(): Promise<void> {
  const request = scoreRequest();
  const { evaluation } = useAnalysisStore.getState();
  if (!request || !evaluation) return;
  try {
    const prCurve = await workbenchWorker().prCurve({ ...request, ...evaluation.key });
    const now = useAnalysisStore.getState().evaluation;
    if (now === evaluation) useAnalysisStore.getState().set({ evaluation: { ...now, prCurve } });
  } catch (error) {
    const { fileName, message } = toUserError(error);
    useErrorStore.getState().report(fileName, `The precision-recall curve failed: ${message}`);
  }
}

/** Alpha source, structural term, threshold source, FPR target, manual threshold or score kind: rescore only; the PR case: its curve only. */
export function setScoreOptions(
  patch: Partial<Pick<AnalysisState, 'score' | 'alphaSource' | 'structural' | 'thresholdSource' | 'fprTarget' | 'manualThreshold' | 'prCaseId'>>,
): void {
  const before = useAnalysisStore.getState();
  useAnalysisStore.getState().set(patch);
  if (Object.keys(patch).length === 1 && patch.prCaseId !== undefined && !before.scoring) {
    void showPrCurve();
    return;
  }
  // An FPR target needs the healthy volumes reconstructed too (cached per case, so only those are new).
  if (patch.thresholdSource === 'fpr-target' && before.thresholdSource !== 'fpr-target' && before.reconstruction.status === 'done') {
    void reconstructLatest(before.noiseLevel);
  } else {
    void scoreNow();
  }
}

/**
 * Sets alpha and noise level together (a sweep cell): a reconstruction (cached by the sweep) if the noise level or the
 * model changed, else one rescore.
 */
export function setAlphaAndNoiseLevel(alpha: number, noiseLevel: number): void {
  const { reconstruction } = useAnalysisStore.getState();
  // A cell names its alpha, so the alpha becomes a fixed one.
  useAnalysisStore.getState().set({ alpha, alphaSource: 'fixed', noiseLevel });
  if (reconstruction.status === 'none') return;
  if (reconstruction.noiseLevel !== noiseLevel || reconstruction.modelId !== useModelStore.getState().model?.modelId) void reconstructLatest(noiseLevel);
  else void scoreNow();
}

/** Noise level: the reconstructions depend on it, so once inference has run, reconstruct again (latest request wins). */
export function setNoiseLevel(noiseLevel: number): void {
  useAnalysisStore.getState().set({ noiseLevel });
  const { reconstruction } = useAnalysisStore.getState();
  if (reconstruction.status !== 'none' && reconstruction.noiseLevel !== noiseLevel) void reconstructLatest(noiseLevel);
}
