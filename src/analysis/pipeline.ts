// The analysis pipeline shared by the worker and the CLI: reconstruct once, then rescore, threshold and evaluate fast.
import { airTransform } from '../core/air.ts';
import { FqlabError } from '../core/errors.ts';
import { binarize } from '../core/metrics/index.ts';
import { removeSmallComponents } from '../core/postprocess/index.ts';
import { DEFAULT_FQ_ALPHA, l1Map, ssimLossMap } from '../core/quality/index.ts';
import { voxelCount, type Volume } from '../core/volume.ts';
import type { EvaluationResult, MapLayer, ScoreSettings, SweepCell, SweepResult, SweepSettings } from '../../workers/api.ts';
import { CaseStore, type ConformedCase } from './caseStore.ts';
import { evaluateScored } from './evaluate.ts';
import { ReconstructionCache, type CachedReconstruction, type ReconstructionKey } from './reconstructionCache.ts';
import { scoreMap, scoreMapKey, type ScoreMapSettings } from './scoring.ts';
import { chooseThreshold, type ScoredCase, type ThresholdChoice } from './thresholdChoice.ts';

/** A trained denoiser as the pipeline sees it; the worker wraps the engine's reconstructVolume in one. */
export interface ReconstructionModel {
  /** Changes whenever the weights do (training, loading a checkpoint): part of every cache key. */
  readonly id: string;
  /** Whether the model was trained on AIR-transformed data (SPEC 2): then its input and the scored original are too. */
  readonly airApplied: boolean;
  /** x0_hat for the whole conformed volume at a noise level; `onProgress(done, total)` counts slices. */
  reconstruct(
    input: Volume,
    noiseLevel: number,
    seed: number,
    onProgress?: (done: number, total: number) => void,
  ): Promise<Float32Array>;
}

export interface Progress {
  done: number;
  total: number;
}


/** The model input for a case: the conformed image, AIR-transformed when the model uses AIR (SPEC 2). */
export function modelInput(conformed: ConformedCase, airApplied: boolean): Volume {
  if (!airApplied) return conformed.image;
  return { ...conformed.image, data: airTransform(conformed.image.data, conformed.brainMask.data) };
}

/** Cached post-processed maps of one (model, noise level, seed, map setting): threshold changes reuse them. */
interface MapCacheEntry {
  id: string;
  maps: Map<string, Float32Array>;
}

/**
 * Holds the cases and the reconstruction cache of a session and answers the workbench's questions:
 * reconstruct (slow, cached), score (fast: map blend, post-processing, threshold, metrics), sweep, layers.
 */
export class AnalysisPipeline {
  readonly cases = new CaseStore();
  readonly cache: ReconstructionCache;
  /** Milliseconds of the last run of each operation, for diagnostics. */
  readonly timings: Record<string, number> = {};
  /** Noise level and seed of the last reconstruct call: what score() evaluates. */
  current: { noiseLevel: number; seed: number } | null = null;
  private mapCache: MapCacheEntry | null = null;
  private scratch: Float32Array | null = null;
  private last: { settings: ScoreSettings; threshold: ThresholdChoice } | null = null;

  constructor(cache = new ReconstructionCache()) {
    this.cache = cache;
  }

  /** Forgets a case, its reconstructions and its cached maps. */
  removeCase(caseId: string): void {
    this.cases.delete(caseId);
    this.cache.deleteWhere((key) => key.caseId === caseId);
    this.mapCache = null;
  }

  /** Forgets every reconstruction of a model (its weights changed). */
  forgetModel(modelId: string): void {
    this.cache.deleteWhere((key) => key.modelId === modelId);
    this.mapCache = null;
  }

  /**
   * Reconstructs cases at a noise level and seed unless cached, computing their SSIM loss and l1 maps once.
   * Progress counts axial slices over all requested cases (cached ones count as done at once).
   */
  async reconstruct(
    model: ReconstructionModel,
    caseIds: readonly string[],
    noiseLevel: number,
    seed: number,
    onProgress?: (progress: Progress) => void,
  ): Promise<void> {
    const started = performance.now();
    const cases = caseIds.map((id) => this.cases.get(id));
    const total = cases.reduce((sum, c) => sum + c.image.dims[2], 0);
    let done = 0;
    for (const conformed of cases) {
      const key: ReconstructionKey = { modelId: model.id, caseId: conformed.caseId, noiseLevel, seed };
      if (!this.cache.get(key)) this.cache.set(await this.reconstructOne(model, conformed, key, (d) => onProgress?.({ done: done + d, total })));
      done += conformed.image.dims[2];
      onProgress?.({ done, total });
    }
    this.current = { noiseLevel, seed };
    this.timings.reconstruct = performance.now() - started;
  }

  private async reconstructOne(
    model: ReconstructionModel,
    conformed: ConformedCase,
    key: ReconstructionKey,
    onSlices: (done: number) => void,
  ): Promise<CachedReconstruction> {
    const started = performance.now();
    const input = modelInput(conformed, model.airApplied);
    const reconstruction = await model.reconstruct(input, key.noiseLevel, key.seed, (d) => onSlices(d));
    if (reconstruction.length !== input.data.length) {
      throw new FqlabError(
        'bad-argument',
        conformed.imageFileName,
        `the model returned ${reconstruction.length} voxels for a ${input.dims.join('x')} volume; this is a bug, please report it`,
      );
    }
    const reconstructMs = performance.now() - started;
    return {
      key,
      reconstruction,
      ssimLoss: ssimLossMap(input.data, reconstruction, input.dims),
      l1: l1Map(input.data, reconstruction),
      reconstructMs,
    };
  }

  /** Cases with a cached reconstruction for the model at a noise level and seed, in case order. */
  reconstructedCases(modelId: string, noiseLevel: number, seed: number): { conformed: ConformedCase; entry: CachedReconstruction }[] {
    const found: { conformed: ConformedCase; entry: CachedReconstruction }[] = [];
    for (const conformed of this.cases.all()) {
      const entry = this.cache.peek({ modelId, caseId: conformed.caseId, noiseLevel, seed });
      if (entry) found.push({ conformed, entry });
    }
    return found;
  }

  /**
   * Post-processed anomaly maps of every reconstructed case. The maps of the most recent map setting are kept, so
   * changing only the threshold source re-uses them; a new alpha recomputes fqMap (into a reused buffer), the
   * masking and the median filter, never the reconstruction or the SSIM.
   */
  scoredCases(modelId: string, settings: ScoreMapSettings, noiseLevel: number, seed: number): ScoredCase[] {
    const id = `${modelId}|${noiseLevel}|${seed}|${scoreMapKey(settings)}`;
    if (this.mapCache?.id !== id) this.mapCache = { id, maps: new Map() };
    const maps = this.mapCache.maps;
    return this.reconstructedCases(modelId, noiseLevel, seed).map(({ conformed, entry }) => {
      let map = maps.get(conformed.caseId);
      if (!map) {
        map = scoreMap(conformed, entry, settings, this.scratchFor(conformed));
        maps.set(conformed.caseId, map);
      }
      return { conformed, map };
    });
  }

  private scratchFor(conformed: ConformedCase): Float32Array {
    const n = voxelCount(conformed.image.dims);
    if (this.scratch?.length !== n) this.scratch = new Float32Array(n);
    return this.scratch;
  }

  /** Scores the reconstructions of the last reconstruct call: maps, threshold from its source, metrics, PR curve. */
  score(model: ReconstructionModel, settings: ScoreSettings, prCaseId?: string): EvaluationResult {
    const started = performance.now();
    const current = this.requireCurrent();
    const scored = this.scoredCases(model.id, settings, current.noiseLevel, current.seed);
    const threshold = chooseThreshold(settings, scored);
    const result = evaluateScored(scored, threshold, prCaseId);
    this.last = { settings, threshold };
    const elapsedMs = performance.now() - started;
    this.timings.score = elapsedMs;
    return { ...result, elapsedMs };
  }

  private requireCurrent(): { noiseLevel: number; seed: number } {
    if (!this.current) {
      throw new FqlabError('bad-argument', 'reconstructions', 'nothing is reconstructed yet; reconstruct the cases at a noise level first.');
    }
    return this.current;
  }

  /**
   * Dice and AUPRC (means over the evaluated split) for every alpha x noise level: each noise level is reconstructed
   * once for all non-training cases, then rescored per alpha with the threshold re-chosen from its source.
   * Progress counts one step per case reconstructed and one per alpha scored, per noise level.
   */
  async sweep(
    model: ReconstructionModel,
    alphas: readonly number[],
    noiseLevels: readonly number[],
    seed: number,
    settings: SweepSettings,
    onProgress?: (progress: Progress) => void,
  ): Promise<SweepResult> {
    const started = performance.now();
    const caseIds = this.cases.all().filter((c) => c.split !== 'healthy-train').map((c) => c.caseId);
    const total = noiseLevels.length * (caseIds.length + alphas.length);
    let done = 0;
    const cells: SweepCell[] = [];
    for (const noiseLevel of noiseLevels) {
      const before = done;
      await this.reconstruct(model, caseIds, noiseLevel, seed, (p) => {
        onProgress?.({ done: before + (p.total > 0 ? (p.done / p.total) * caseIds.length : 0), total });
      });
      done = before + caseIds.length;
      for (const alpha of alphas) {
        const scoreSettings: ScoreSettings = { ...settings, alpha, score: 'fq' };
        const scored = this.reconstructedCases(model.id, noiseLevel, seed)
          .filter(({ conformed }) => conformed.split !== 'healthy-train' || settings.thresholdSource === 'fpr-target')
          .map(({ conformed, entry }) => ({ conformed, map: scoreMap(conformed, entry, scoreSettings, this.scratchFor(conformed)) }));
        const result = evaluateScored(scored, chooseThreshold(scoreSettings, scored));
        cells.push({ alpha, noiseLevel, dice: result.mean.dice.mean, auprc: result.mean.auprc.mean });
        onProgress?.({ done: ++done, total });
      }
    }
    this.timings.sweep = performance.now() - started;
    return { cells, best: bestCell(cells) };
  }

  /**
   * A layer of a case on the conformed grid. 'ssim-loss' and 'l1' are the raw quality maps; 'fq' is the
   * post-processed FQ anomaly map at the last scored alpha (default 0.84); 'prediction' is that map above the last
   * threshold with components of <= 7 voxels removed; 'reconstruction' is in the model's (possibly AIR) space.
   */
  layer(modelId: string | null, caseId: string, layer: MapLayer): Volume {
    const conformed = this.cases.get(caseId);
    const grid = (data: Float32Array): Volume => ({ ...conformed.image, data });
    if (layer === 'image') return conformed.image;
    if (layer === 'brain-mask') return conformed.brainMask;
    if (layer === 'segmentation') {
      if (!conformed.seg) throw new FqlabError('bad-argument', caseId, 'this case has no segmentation; add one to the case to show it.');
      return conformed.seg;
    }
    const entry = this.currentEntry(modelId, conformed);
    if (layer === 'reconstruction') return grid(entry.reconstruction);
    if (layer === 'ssim-loss') return grid(entry.ssimLoss);
    if (layer === 'l1') return grid(entry.l1);
    const alpha = this.last && this.last.settings.score === 'fq' ? this.last.settings.alpha : DEFAULT_FQ_ALPHA;
    const settings: ScoreMapSettings = this.last ? { score: this.last.settings.score, alpha } : { score: 'fq', alpha };
    const map = this.scoredCases(entry.key.modelId, layer === 'fq' ? { score: 'fq', alpha } : settings, entry.key.noiseLevel, entry.key.seed).find(
      (s) => s.conformed.caseId === caseId,
    )?.map as Float32Array;
    if (layer === 'fq') return grid(map);
    const threshold = this.last?.threshold.value;
    if (threshold === undefined || threshold === null) {
      throw new FqlabError('bad-argument', caseId, 'no threshold is set yet; score the cases with a threshold source first.');
    }
    const prediction = removeSmallComponents(binarize(map, threshold), conformed.image.dims);
    return grid(Float32Array.from(prediction));
  }

  private currentEntry(modelId: string | null, conformed: ConformedCase): CachedReconstruction {
    const current = this.current;
    const entry = modelId && current ? this.cache.peek({ modelId, caseId: conformed.caseId, ...current }) : undefined;
    if (!entry) {
      throw new FqlabError('bad-argument', conformed.caseId, 'this case has no reconstruction at the current noise level; reconstruct it first.');
    }
    return entry;
  }
}

/** The cell with the highest Dice (AUPRC breaks ties, and ranks cells when no Dice is defined). */
export function bestCell(cells: readonly SweepCell[]): SweepCell | null {
  let best: SweepCell | null = null;
  const rank = (c: SweepCell): [number, number] => [c.dice ?? -1, c.auprc ?? -1];
  for (const cell of cells) {
    if (cell.dice === null && cell.auprc === null) continue;
    if (!best) {
      best = cell;
      continue;
    }
    const [d, a] = rank(cell);
    const [bd, ba] = rank(best);
    if (d > bd || (d === bd && a > ba)) best = cell;
  }
  return best;
}
