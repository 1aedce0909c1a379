// Sweep actions: run the alpha x noise-level grid on validation and test volumes, and apply a chosen cell to the sliders.
import { alphaProblem, noiseLevelProblem } from '../../core/protocol.ts';
import type { SweepRequest } from '../../../workers/api.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { parseNumberList, useSweepStore } from '../stores/sweepStore.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { stopForegroundJob } from './cancellation.ts';
import { inferenceBlocker, setAlphaAndNoiseLevel } from './analysisActions.ts';

export async function runSweep(): Promise<void> {
  const sweep = useSweepStore.getState();
  const report = useErrorStore.getState().report;
  const alphas = parseNumberList(sweep.alphasText, 'alpha', alphaProblem);
  const noiseLevels = parseNumberList(sweep.noiseLevelsText, 'noise level', noiseLevelProblem);
  if (typeof alphas === 'string') return report('', `Sweep: ${alphas}.`);
  if (typeof noiseLevels === 'string') return report('', `Sweep: ${noiseLevels}.`);
  const blocker = inferenceBlocker();
  if (blocker) return report('', blocker);
  sweep.set({ running: true, done: 0, total: alphas.length * noiseLevels.length, result: null });
  await stopForegroundJob('you started a sweep');
  const analysis = useAnalysisStore.getState();
  const modelId = useModelStore.getState().model?.modelId ?? '';
  const request: SweepRequest = { modelId, seed: analysis.seed, alphas, noiseLevels, structural: analysis.structural, thresholdSource: analysis.thresholdSource };
  if (analysis.thresholdSource === 'manual') request.manualThreshold = analysis.manualThreshold;
  if (analysis.thresholdSource === 'fpr-target') request.fprTarget = analysis.fprTarget;
  try {
    const onProgress = (progress: { done: number; total: number }) => useSweepStore.getState().set({ done: progress.done, total: progress.total });
    // The sweep fills the reconstruction cache only: the panel's metrics keep describing its own noise level.
    const result = await workbenchWorker().sweep(request, onProgress);
    useSweepStore.getState().set({ result });
  } catch (error) {
    const { fileName, message } = toUserError(error);
    report(fileName, `Sweep failed: ${message}`);
  } finally {
    useSweepStore.getState().set({ running: false });
  }
}

/** Clicking a sweep cell moves the analysis sliders there (rescoring, and reconstructing if the noise level differs). */
export function applySweepCell(alpha: number, noiseLevel: number): void {
  setAlphaAndNoiseLevel(alpha, noiseLevel);
}
