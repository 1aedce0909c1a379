// One case's rescoring as a self-contained job (quality maps, mask, labels in; score map and threshold-free metrics out), so any thread can run it.
import { rankingFromSorted, sortScores, type SortedScores } from '../core/metrics/index.ts';
import { postprocessMap } from '../core/postprocess/index.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import { fqMap } from '../core/quality/index.ts';
import type { Dims3 } from '../core/volume.ts';
import type { ScoreMapSettings } from './keys.ts';

/** Everything one case's score map and its threshold-free metrics depend on; plain typed arrays, so it can be posted to a worker. */
export interface ScoringJob {
  /** The structural loss map the settings name (keys.ts structuralTermOf); unused for 'l1'. */
  structural: Float32Array;
  l1: Float32Array;
  /** The brain mask eroded as SPEC 5.1 asks (the case's erodedBrainMask). */
  erodedBrainMask: Uint8Array;
  /** 0/1 anomaly labels, or null for a case without a segmentation (then no metrics). */
  labels: Uint8Array | null;
  dims: Dims3;
  settings: ScoreMapSettings;
}

/** A job's arrays: what a scoring thread keeps resident between alpha moves. */
export type ScoringInputs = Omit<ScoringJob, 'settings'>;

/** Bytes a thread holds for a job's inputs (the budget of its resident cache counts these). */
export function scoringInputsBytes(inputs: ScoringInputs): number {
  return inputs.structural.byteLength + inputs.l1.byteLength + inputs.erodedBrainMask.byteLength + (inputs.labels?.byteLength ?? 0);
}

/**
 * A job as a scoring pool takes it: its inputs named by a key (the same key always means the same arrays), and built
 * only when the thread that runs it does not hold them yet; an alpha move then sends only the key and the settings.
 */
export interface PooledScoringJob {
  inputsKey: string;
  inputs: () => ScoringInputs;
  settings: ScoreMapSettings;
}

/** The metrics of a case that need no threshold (SPEC 5.3, 5.5); Dice at the chosen threshold comes later. */
export interface RankingMetrics {
  auprc: number | null;
  auroc: number | null;
  /** Best Dice over all thresholds of this case itself (an oracle). */
  bestDiceOracle: number | null;
}

export interface ScoringJobResult {
  /** The post-processed score map (SPEC 4, 5.1-5.2). */
  map: Float32Array;
  /** Null without labels. */
  ranking: RankingMetrics | null;
  /** The map's voxels sorted by score against the labels (null without labels): the threshold search and the PR curve read it instead of sorting again. */
  sorted: SortedScores | null;
}

/** Bytes of a result's arrays (what a cache of results counts). */
export function scoringResultBytes(result: Pick<ScoringJobResult, 'map' | 'sorted'>): number {
  const sorted = result.sorted;
  return result.map.byteLength + (sorted ? sorted.thresholds.byteLength + sorted.truePositives.byteLength + sorted.falsePositives.byteLength : 0);
}

/** The arrays a thread transfers back with a result. */
export function scoringResultTransfer(result: ScoringJobResult): ArrayBuffer[] {
  const sorted = result.sorted;
  const views = sorted ? [result.map, sorted.thresholds, sorted.truePositives, sorted.falsePositives] : [result.map];
  return views.map((view) => view.buffer as ArrayBuffer);
}

/**
 * The raw anomaly map before post-processing: fqMap of the structural loss and l1 maps (written into `out` when
 * given), or one of the two maps itself (not copied; do not modify it).
 */
export function rawScoreMap(maps: QualityMaps, settings: ScoreMapSettings, out?: Float32Array): Float32Array {
  if (settings.score === 'ssim') return maps.structural;
  if (settings.score === 'l1') return maps.l1;
  return fqMap(maps.structural, maps.l1, settings.alpha, out);
}

/** The two maps a score is built from: the structural loss the settings name and l1. */
export type QualityMaps = Pick<ScoringJob, 'structural' | 'l1'>;

/** The score map: the raw map times the eroded brain mask, then the 5x5x5 median filter. `scratch` holds the FQ blend. */
export function postprocessedScoreMap(job: Omit<ScoringJob, 'labels'>, scratch?: Float32Array): Float32Array {
  const raw = rawScoreMap(job, job.settings, scratch);
  return postprocessMap(raw, job.erodedBrainMask, job.dims, { erosionIterations: 0, medianSize: PAPER_PROTOCOL.postprocess.medianSize });
}

/** A score map's sorted scores and its AUPRC, AUROC and best-Dice oracle; null without labels. */
export function rankedScores(map: Float32Array, labels: Uint8Array | null): Pick<ScoringJobResult, 'ranking' | 'sorted'> {
  if (!labels) return { ranking: null, sorted: null };
  const sorted = sortScores(map, labels);
  const { auprc, auroc, bestDice } = rankingFromSorted(sorted);
  return { ranking: { auprc, auroc, bestDiceOracle: bestDice }, sorted };
}

/** Runs a job: the same functions, in the same order, as the serial path, so every thread gives the same bits. */
export function runScoringJob(job: ScoringJob, scratch?: Float32Array): ScoringJobResult {
  const map = postprocessedScoreMap(job, scratch);
  return { map, ...rankedScores(map, job.labels) };
}
