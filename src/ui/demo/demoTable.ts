// The demo's table, computed live once the demo is ready: Thresh and the shipped checkpoints scored on its cases over seeds, row by row, and a row's maps opened in the viewer.
import type { ModelInfo, ScoreRequest, TrainConfig } from '../../../workers/api.ts';
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import { reconstructAndScoreCases, reportReconstructionFailure, resetAnalysis, setInferenceSettings } from '../actions/analysisActions.ts';
import { JobStopped } from '../actions/cancellation.ts';
import { paperSettings } from '../actions/comparisonActions.ts';
import { loadCheckpoint } from '../actions/modelActions.ts';
import { rowLabel, scoreMapLayer } from '../comparisonTable.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import type { ComparisonEntry } from '../stores/comparisonStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useDemoStore, type DemoModelId } from '../stores/demoStore.ts';
import { useDemoTableStore } from '../stores/demoTableStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import type { DemoCase } from './demoManifest.ts';
import { demoTableSeedCount, tableSeedOrder, type DemoTrack } from './demoSettings.ts';

/** A row's model as the worker keeps it: its checkpoint (to open it in the viewer) and which demo model it is, if any. */
interface TableModel {
  info: ModelInfo;
  bytes: Uint8Array;
  fileName: string;
  demoModelId: DemoModelId | null;
}

/** The rows' models by model id, kept for "view" (a few hundred KB each). */
const tableModels = new Map<string, TableModel>();

/** Thresh's settings: nothing to train, so only the AIR rule matters (the shipped models' own, so all rows see the same input). */
function threshConfig(air: TrainConfig['air']): TrainConfig {
  return { method: 'thresh', preset: 'paper', loss: 'l1', alpha: PAPER_PROTOCOL.fqAlpha, air, noise: 'simplex', patched: true, steps: 0, batchSize: 1, seed: 0, evaluateEvery: 0 };
}

function entryOf(model: TableModel, origin: string): ComparisonEntry {
  return { modelId: model.info.modelId, origin, info: model.info, ...paperSettings(model.info), result: null, failure: null };
}

/** Loads the track's shipped checkpoints and makes Thresh, each kept in the worker for comparison; rows that fail are listed, not fatal. */
async function tableEntries(track: DemoTrack, fetchCheckpoint: (file: string) => Promise<ArrayBuffer>, signal: AbortSignal): Promise<{ entries: ComparisonEntry[]; failures: string[] }> {
  const entries: ComparisonEntry[] = [];
  const failures: string[] = [];
  const keep = async (bytes: Uint8Array, fileName: string, demoModelId: DemoModelId | null) => {
    const info = await workbenchWorker().addComparisonModel(bytes, fileName);
    const model = { info, bytes, fileName, demoModelId };
    tableModels.set(info.modelId, model);
    return model;
  };
  let air: TrainConfig['air'] = 'modality';
  for (const demoModel of Object.values(track.models)) {
    const fileName = `demo/${track.folder}models/${demoModel.file}`;
    try {
      const model = await keep(new Uint8Array(await fetchCheckpoint(demoModel.file)), fileName, demoModel.id);
      air = model.info.airMode;
      entries.push(entryOf(model, fileName));
    } catch (error) {
      if (signal.aborted || error instanceof JobStopped) throw error;
      failures.push(`${fileName}: ${toUserError(error).message}`);
    }
  }
  try {
    const bytes = await workbenchWorker().untrainedCheckpoint(threshConfig(air));
    entries.unshift(entryOf(await keep(bytes, 'Thresh (made here)', null), 'Thresh: the AIR-transformed scan itself as the anomaly map'));
  } catch (error) {
    if (signal.aborted) throw new JobStopped();
    failures.push(`Thresh: ${toUserError(error).message}`);
  }
  return { entries, failures };
}

/** Work order: Thresh (no reconstruction), then the current model (the demo reconstructed it at the analysis seed), then the rest. */
function workOrder(entries: readonly ComparisonEntry[]): ComparisonEntry[] {
  const currentModelId = useModelStore.getState().model?.modelId;
  const rank = (e: ComparisonEntry) => (e.info.method === 'thresh' ? 0 : e.modelId === currentModelId ? 1 : 2);
  return [...entries].sort((a, b) => rank(a) - rank(b));
}

/**
 * Computes the table for the demo's evaluation cases (validation cases give the threshold, the test cases the means):
 * row by row and seed by seed, the cases are reconstructed one at a time (so the viewer and the sliders get the worker
 * between them), then the row is scored over its seeds so far: a row shows numbers after its first seed, then
 * settles. One row's seeds at a time, so its reconstructions are all still in the worker's cache when it is scored
 * (three models x three seeds of every case would not fit, and an evicted case would drop out of the means). Stops
 * quietly when the demo is stopped; a finished table for the same cases and seeds is kept.
 */
export async function computeDemoTable(
  evaluationCases: readonly DemoCase[],
  track: DemoTrack,
  fetchCheckpoint: (file: string) => Promise<ArrayBuffer>,
  signal: AbortSignal,
): Promise<void> {
  const ready = new Set(useDataStore.getState().cases.filter((c) => c.status === 'ready').map((c) => c.spec.caseId));
  const cases = evaluationCases.filter((c) => ready.has(c.id));
  const caseIds = cases.map((c) => c.id);
  const seedCount = demoTableSeedCount();
  const seeds = tableSeedOrder(seedCount, useAnalysisStore.getState().seed);
  const key = JSON.stringify([caseIds, seeds]);
  const table = useDemoTableStore.getState();
  if (table.status === 'done' && table.key === key) return;
  table.set({
    status: 'running',
    key,
    caseIds,
    testCases: cases.filter((c) => c.split === 'test').length,
    validationLesionCases: cases.filter((c) => c.split === 'validation' && c.files.seg !== undefined).length,
    seedCount,
    rowsDone: 0,
    progress: { done: 0, total: 0 },
    message: 'Loading the models…',
  });
  try {
    const { entries, failures } = await tableEntries(track, fetchCheckpoint, signal);
    const total = seeds.length * entries.length * caseIds.length;
    let done = 0;
    useDemoTableStore.getState().set({ entries, rowFailures: failures, progress: { done, total } });
    for (const [row, entry] of workOrder(entries).entries()) {
      const label = rowLabel(entry, useModelStore.getState().methods ?? []);
      const request: ScoreRequest = { modelId: entry.modelId, noiseLevel: entry.noiseLevel, seed: seeds[0], alpha: entry.alpha, score: entry.score, thresholdSource: 'validation-search' };
      for (const [index, seed] of seeds.entries()) {
        for (const caseId of caseIds) {
          signal.throwIfAborted();
          useDemoTableStore.getState().set({ message: `${label}, seed ${index + 1} of ${seeds.length}: reconstructing ${caseId}…` });
          await workbenchWorker().reconstruct({ modelId: entry.modelId, caseIds: [caseId], noiseLevel: entry.noiseLevel, seed }, () => undefined);
          useDemoTableStore.getState().set({ progress: { done: ++done, total } });
        }
        signal.throwIfAborted();
        try {
          const result = await workbenchWorker().scoreSeeds(request, seeds.slice(0, index + 1), () => undefined);
          useDemoTableStore.getState().updateEntry(entry.modelId, { result, failure: null });
        } catch (error) {
          useDemoTableStore.getState().updateEntry(entry.modelId, { failure: toUserError(error).message });
        }
      }
      useDemoTableStore.getState().set({ rowsDone: row + 1 });
    }
    // The table's reconstructions may have pushed the analysis on screen out of the worker's cache, and a score counts
    // only the cases it finds there: bring them back (cached cases cost nothing).
    const shown = useAnalysisStore.getState().reconstruction;
    if (shown.status === 'done' && shown.noiseLevel !== null && shown.modelId !== null && shown.modelId === useModelStore.getState().model?.modelId) {
      for (const caseId of caseIds) {
        signal.throwIfAborted();
        await workbenchWorker().reconstruct({ modelId: shown.modelId, caseIds: [caseId], noiseLevel: shown.noiseLevel, seed: useAnalysisStore.getState().seed }, () => undefined);
      }
    }
    useDemoTableStore.getState().set({ status: 'done', message: '' });
  } catch (error) {
    if (signal.aborted || error instanceof JobStopped) {
      useDemoTableStore.getState().set({ status: 'stopped', message: 'Stopped with the demo; “Resume demo” finishes it (what is done is cached).' });
      return;
    }
    const { fileName, message } = toUserError(error);
    useDemoTableStore.getState().set({ status: 'failed', message });
    useErrorStore.getState().report(fileName, `The demo's table stopped: ${message}`);
  }
}

/**
 * Opens a row's model in the viewer and the Metrics panel: it becomes the current model, analysed at the row's noise
 * level, score and alpha (the cases reconstructed at the analysis seed, cached once the table has that seed), and its
 * score map goes on the scan.
 */
export async function viewDemoTableRow(modelId: string): Promise<void> {
  const model = tableModels.get(modelId);
  const entry = useDemoTableStore.getState().entries.find((e) => e.modelId === modelId);
  if (!model || !entry) return;
  const { noiseLevel, score, alpha } = entry;
  const caseIds = useDemoTableStore.getState().caseIds;
  try {
    await loadCheckpoint(model.bytes, model.fileName);
    useDemoStore.getState().set(model.demoModelId ? { modelId: model.demoModelId, wantedModelId: model.demoModelId } : { modelId: null });
    setInferenceSettings({ noiseLevel, score, alpha });
    resetAnalysis();
    useViewerStore.getState().setMapOverlay(scoreMapLayer(score));
    await reconstructAndScoreCases(caseIds, noiseLevel);
  } catch (error) {
    reportReconstructionFailure(error, 'could not be opened in the viewer', model.fileName);
  }
}
