// The analysis pipeline shared by the worker and the CLI: reconstruct once, then rescore, threshold and evaluate fast.
import { airTransform } from '../core/air.ts';
import { FqlabError } from '../core/errors.ts';
import { binarize } from '../core/metrics/index.ts';
import { removeSmallComponents } from '../core/postprocess/index.ts';
import { l1Map, ssimLossMap, structuralLossMap, type StructuralTerm } from '../core/quality/index.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import { voxelCount, type Volume } from '../core/volume.ts';
import { alphaChoiceFrom, alphaObjective, alphaValidationCases, choosesAlpha, fixedAlpha, type AlphaChoice, type AlphaSource } from './alphaChoice.ts';
import { CaseStore, type ConformedCase } from './caseStore.ts';
import { caseMetrics, evaluateScored, prCurveCase, prCurveOf, type CaseMetrics, type EvaluationResult } from './evaluate.ts';
import { KeyedCache } from './keyedCache.ts';
import { caseMapKeyString, reconstructionKeyString, structuralTermOf, type MapKey, type ReconstructionKey, type ReconstructionSetKey } from './keys.ts';
import { isCaseLayer, type DerivedLayerRequest, type LayerRequest } from './layers.ts';
import { reconstructionCache, type CachedReconstruction, type ReconstructionCache } from './reconstructionCache.ts';
import { scoringInputs, scoringJob } from './scoring.ts';
import { summarizeSeeds, type SeedSummary } from './seeds.ts';
import { runScoringJob, scoringResultBytes, type QualityMaps, type ScoringJobResult } from './scoringJob.ts';
import type { ScoringPool } from './scoringPool.ts';
import { chooseThreshold, type ScoredCase, type ThresholdSettings } from './thresholdChoice.ts';

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

/** Cases to reconstruct, with the model's id, at a noise level and seed. */
export interface ReconstructRequest extends ReconstructionSetKey {
  caseIds: string[];
}

/** Everything a score depends on: the reconstructions, the map setting and where alpha and the threshold come from. */
export interface ScoreKey extends MapKey, ThresholdSettings {
  /**
   * Where alpha comes from (default 'fixed': the key's alpha). 'val-dice' / 'val-auprc' pick the alpha of
   * PAPER_PROTOCOL.alphaGrid with the best validation objective (alphaChoice.ts), and the threshold is then chosen at it.
   */
  alphaSource?: AlphaSource;
}

/** A score of every case reconstructed under the key. */
export interface ScoreRequest extends ScoreKey {
  /** Case whose precision-recall curve is returned (default: the first case with lesions of the mean's split). */
  prCaseId?: string;
  /** The case on screen: its map is computed last, so it is the freshest in the map cache when its layers are asked for. */
  viewCaseId?: string;
}

/** The case on screen, scored before the rest of the study. */
export interface ViewedCaseScore {
  key: MapKey;
  /** Its AUPRC, AUROC and best-Dice oracle; Dice is null (it needs the study's threshold, which follows). */
  metrics: CaseMetrics;
  /** Its post-processed score map (the request's score kind), a copy the receiver may keep. */
  map: Float32Array;
}

/** How scoreStudy runs: on a pool of threads, abortable between cases, the viewed case reported first. */
export interface ScoreStudyOptions {
  pool: ScoringPool;
  /** Aborting stops the study before its next case starts; scoreStudy then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called once the request's viewCaseId is scored, before the study's threshold and metrics (also when aborted after its case started). */
  onViewedCase?: (viewed: ViewedCaseScore) => void;
  /**
   * When set, the other cases are queued only this many milliseconds after the viewed case is in, so that during a
   * slider drag (a newer move aborting this one meanwhile) the threads stay free for the next viewed case. Unset, all
   * cases are queued at once, the viewed case first.
   */
  holdRestMs?: number;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** An alpha x noise-level grid over the non-training cases of one model and seed; the threshold source stays fixed. */
export interface SweepRequest extends ThresholdSettings {
  modelId: string;
  /** The FQ map's structural term (default SSIM). */
  structural?: StructuralTerm;
  seed: number;
  alphas: number[];
  noiseLevels: number[];
}

/** One cell of a sweep: the mean Dice and AUPRC over the evaluated split at an alpha and noise level. */
export interface SweepCell {
  alpha: number;
  noiseLevel: number;
  dice: number | null;
  auprc: number | null;
}

export interface SweepResult {
  cells: SweepCell[];
  /** The FQ map's structural term every cell was scored with. */
  structural: StructuralTerm;
  /** The cell with the highest Dice (AUPRC breaks ties); null when no cell has either. */
  best: SweepCell | null;
}

/** Byte budgets of the pipeline's least-recently-used caches. */
export interface CacheBudgets {
  /** Reconstructions with their SSIM-loss and l1 maps (3 float32 volumes a case). */
  reconstructionBytes: number;
  /** Post-processed score maps per (case, map key) (1 float32 volume each). */
  mapBytes: number;
  /** MS-SSIM and GMS loss maps per (reconstruction, structural term) (1 float32 volume each; SSIM loss lives with the reconstruction). */
  structuralBytes: number;
  /** Prediction masks per (case, map key, threshold) (1 byte a voxel). */
  predictionBytes: number;
}

/** About 90 reconstructed cases of 96x96x50 (5.5 MB each), 140 score maps (1.8 MB), 70 structural maps and 140 predictions (0.46 MB). */
export const DEFAULT_CACHE_BUDGETS: CacheBudgets = {
  reconstructionBytes: 512 * 1024 * 1024,
  mapBytes: 256 * 1024 * 1024,
  structuralBytes: 128 * 1024 * 1024,
  predictionBytes: 64 * 1024 * 1024,
};

interface CaseMapKey extends MapKey, ReconstructionKey {}

/** A cached score map with its threshold-free metrics and sorted scores (null without labels). */
type CachedMap = ScoringJobResult;

interface StructuralMapKey extends ReconstructionKey {
  term: StructuralTerm;
}

interface PredictionKey extends CaseMapKey {
  threshold: number;
}

/** The model input for a case: the conformed image, AIR-transformed when the model uses AIR (SPEC 2). */
export function modelInput(conformed: ConformedCase, airApplied: boolean): Volume {
  if (!airApplied) return conformed.image;
  return { ...conformed.image, data: airTransform(conformed.image.data, conformed.brainMask.data) };
}

/** A reconstructed case. */
interface Reconstructed {
  conformed: ConformedCase;
  entry: CachedReconstruction;
}

/** One number per object for the life of this thread, so a key can name a case's and a reconstruction's arrays. */
const serials = new WeakMap<object, number>();
let nextSerial = 0;
function serialOf(object: object): number {
  let serial = serials.get(object);
  if (serial === undefined) serials.set(object, (serial = nextSerial++));
  return serial;
}

/**
 * Holds the cases of a session and caches keyed by what each result depends on, and answers the workbench's
 * questions: reconstruct (slow, cached), score (fast: map blend, post-processing, threshold, metrics), sweep, layers.
 * Every request names its model, noise level, seed and map setting, so no answer depends on the order of calls.
 */
export class AnalysisPipeline {
  readonly cases = new CaseStore();
  readonly reconstructions: ReconstructionCache;
  readonly maps: KeyedCache<CaseMapKey, CachedMap>;
  readonly structuralMaps: KeyedCache<StructuralMapKey, Float32Array>;
  readonly predictions: KeyedCache<PredictionKey, Uint8Array>;
  /** Milliseconds of the last run of each operation, for diagnostics. */
  readonly timings: Record<string, number> = {};
  /** A reused buffer for the FQ blend before post-processing (never read back). */
  private scratch: Float32Array | null = null;

  constructor(budgets: CacheBudgets = DEFAULT_CACHE_BUDGETS) {
    this.reconstructions = reconstructionCache(budgets.reconstructionBytes);
    this.maps = new KeyedCache({ keyString: (key) => caseMapKeyString(key, key.caseId), bytesOf: (entry) => scoringResultBytes(entry), maxBytes: budgets.mapBytes });
    this.structuralMaps = new KeyedCache({
      keyString: (key) => `${reconstructionKeyString(key)}>${key.term}`,
      bytesOf: (map) => map.byteLength,
      maxBytes: budgets.structuralBytes,
    });
    this.predictions = new KeyedCache({
      keyString: (key) => `${caseMapKeyString(key, key.caseId)}>${key.threshold}`,
      bytesOf: (mask) => mask.byteLength,
      maxBytes: budgets.predictionBytes,
    });
  }

  /** Forgets a case, its reconstructions and its maps. */
  removeCase(caseId: string): void {
    this.cases.delete(caseId);
    this.forgetWhere((key) => key.caseId === caseId);
  }

  /** Forgets every reconstruction and map of a model (its weights changed). */
  forgetModel(modelId: string): void {
    this.forgetWhere((key) => key.modelId === modelId);
  }

  private forgetWhere(matches: (key: { modelId: string; caseId: string }) => boolean): void {
    this.reconstructions.deleteWhere(matches);
    this.maps.deleteWhere(matches);
    this.structuralMaps.deleteWhere(matches);
    this.predictions.deleteWhere(matches);
  }

  /**
   * Reconstructs cases at a noise level and seed unless cached, computing their SSIM loss and l1 maps once.
   * Progress counts axial slices over all requested cases (cached ones count as done at once).
   */
  async reconstruct(
    model: ReconstructionModel,
    request: Omit<ReconstructRequest, 'modelId'>,
    onProgress?: (progress: Progress) => void,
  ): Promise<void> {
    const started = performance.now();
    const cases = request.caseIds.map((id) => this.cases.get(id));
    const total = cases.reduce((sum, c) => sum + c.image.dims[2], 0);
    let done = 0;
    for (const conformed of cases) {
      const key = { modelId: model.id, caseId: conformed.caseId, noiseLevel: request.noiseLevel, seed: request.seed };
      if (!this.reconstructions.get(key)) {
        this.reconstructions.set(key, await this.reconstructOne(model, conformed, key, (d) => onProgress?.({ done: done + d, total })));
      }
      done += conformed.image.dims[2];
      onProgress?.({ done, total });
    }
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
      airApplied: model.airApplied,
      ssimLoss: ssimLossMap(input.data, reconstruction, input.dims),
      l1: l1Map(input.data, reconstruction),
      reconstructMs,
    };
  }

  /** Cases with a cached reconstruction under the key, in case order. */
  reconstructedCases(key: ReconstructionSetKey): Reconstructed[] {
    const found: Reconstructed[] = [];
    for (const conformed of this.cases.all()) {
      const entry = this.reconstructions.peek({ modelId: key.modelId, caseId: conformed.caseId, noiseLevel: key.noiseLevel, seed: key.seed });
      if (entry) found.push({ conformed, entry });
    }
    return found;
  }

  /**
   * The structural loss and l1 maps a key scores a case with: the SSIM loss from the reconstruction, an MS-SSIM or
   * GMS loss from the structural cache, else computed once from the scored original and the reconstruction.
   */
  private qualityMaps({ conformed, entry }: Reconstructed, key: MapKey): QualityMaps {
    const term = structuralTermOf(key) ?? 'ssim';
    if (term === 'ssim') return { structural: entry.ssimLoss, l1: entry.l1 };
    const structuralKey: StructuralMapKey = { ...entry.key, term };
    let structural = this.structuralMaps.get(structuralKey);
    if (!structural) {
      const original = modelInput(conformed, entry.airApplied);
      structural = structuralLossMap(term, original.data, entry.reconstruction, original.dims);
      this.structuralMaps.set(structuralKey, structural);
    }
    return { structural, l1: entry.l1 };
  }

  /**
   * One case's post-processed score map and ranking: from the map cache, else computed (FQ blend into a reused buffer,
   * masking, median filter, one sort; never the reconstruction, and the structural map only once) and cached unless
   * `keep` is false.
   */
  private caseMap(reconstructed: Reconstructed, key: MapKey, keep = true): CachedMap {
    const { conformed } = reconstructed;
    const caseKey: CaseMapKey = { ...key, caseId: conformed.caseId };
    const cached = keep ? this.maps.get(caseKey) : this.maps.peek(caseKey);
    if (cached) return cached;
    const scored = runScoringJob(scoringJob(conformed, this.qualityMaps(reconstructed, key), key), this.scratchFor(conformed));
    if (keep) this.maps.set(caseKey, scored);
    return scored;
  }

  /** One case's score map and threshold-free metrics: from the map cache, else scored on the pool and cached. */
  private async pooledCaseMap(reconstructed: Reconstructed, key: MapKey, pool: ScoringPool, signal?: AbortSignal): Promise<ScoredCase> {
    const { conformed, entry } = reconstructed;
    const caseKey: CaseMapKey = { ...key, caseId: conformed.caseId };
    const cached = this.maps.get(caseKey);
    if (cached) return { conformed, ...cached };
    // The inputs' key names these very arrays (a redefined case or a recomputed reconstruction is a new object).
    const inputsKey = `${serialOf(conformed)}/${serialOf(entry)}/${structuralTermOf(key) ?? 'ssim'}`;
    const job = { inputsKey, inputs: () => scoringInputs(conformed, this.qualityMaps(reconstructed, key)), settings: key };
    const result = await pool.run(job, signal);
    // Kept only while the case and its reconstruction are still the ones scored (a case redefined meanwhile is not).
    const reconstructionKey = { modelId: key.modelId, caseId: conformed.caseId, noiseLevel: key.noiseLevel, seed: key.seed };
    if (this.cases.has(conformed.caseId) && this.cases.get(conformed.caseId) === conformed && this.reconstructions.peek(reconstructionKey) === entry) {
      this.maps.set(caseKey, result);
    }
    return { conformed, ...result };
  }

  private scratchFor(conformed: ConformedCase): Float32Array {
    const n = voxelCount(conformed.image.dims);
    if (this.scratch?.length !== n) this.scratch = new Float32Array(n);
    return this.scratch;
  }

  /** Post-processed score maps of every case reconstructed under the key, in case order (`lastCaseId`'s computed last). */
  scoredCases(key: MapKey, lastCaseId?: string): ScoredCase[] {
    const found = this.reconstructedCases(key);
    const last = found.find((r) => r.conformed.caseId === lastCaseId);
    const maps = new Map<string, CachedMap>();
    for (const reconstructed of last ? [...found.filter((r) => r !== last), last] : found) {
      maps.set(reconstructed.conformed.caseId, this.caseMap(reconstructed, key));
    }
    return found.map(({ conformed }) => ({ conformed, ...(maps.get(conformed.caseId) as CachedMap) }));
  }

  /** Scores every case reconstructed under the request's key on this thread: maps, threshold from its source, metrics, PR curve. */
  score(request: ScoreRequest): EvaluationResult {
    const started = performance.now();
    const requested = mapKeyOf(request);
    const found = this.reconstructedCases(requested);
    if (found.length === 0) throw noReconstruction(requested);
    let alpha = fixedAlpha(request.alpha);
    if (choosesAlpha(request.alphaSource, request.score)) {
      const source = request.alphaSource;
      const validation = alphaValidationCases(found.map((r) => r.conformed));
      const objective = PAPER_PROTOCOL.alphaGrid.map((gridAlpha) => {
        const key = { ...requested, alpha: gridAlpha };
        return alphaObjective(source, found.filter((r) => validation.includes(r.conformed)).map((r) => ({ conformed: r.conformed, ...this.caseMap(r, key) })));
      });
      alpha = alphaChoiceFrom(source, request.alpha, objective);
    }
    const key = { ...requested, alpha: alpha.value };
    return this.finishScore(request, key, alpha, this.scoredCases(key, request.viewCaseId), started);
  }

  /**
   * The alpha of a score request on the pool: its own when fixed, else the grid alpha with the best objective on the
   * lesion validation cases (their maps at every grid alpha scored on the pool and cached).
   */
  private async pooledAlpha(request: ScoreRequest, found: readonly Reconstructed[], pool: ScoringPool, signal?: AbortSignal): Promise<AlphaChoice> {
    if (!choosesAlpha(request.alphaSource, request.score)) return fixedAlpha(request.alpha);
    const source = request.alphaSource;
    const validation = alphaValidationCases(found.map((r) => r.conformed));
    const validationFound = found.filter((r) => validation.includes(r.conformed));
    const requested = mapKeyOf(request);
    const objective: (number | null)[] = [];
    for (const gridAlpha of PAPER_PROTOCOL.alphaGrid) {
      const key = { ...requested, alpha: gridAlpha };
      objective.push(alphaObjective(source, await Promise.all(validationFound.map((r) => this.pooledCaseMap(r, key, pool, signal)))));
    }
    return alphaChoiceFrom(source, request.alpha, objective);
  }

  /**
   * The same result as score(), to the bit, with the cases scored on a pool of threads: the viewed case first
   * (reported through onViewedCase), then the rest; the threshold, Dice and means once all are in. An aborted
   * signal stops it between cases (maps already scored stay cached, a viewed case already started is still reported).
   */
  async scoreStudy(request: ScoreRequest, { pool, signal, onViewedCase, holdRestMs = 0 }: ScoreStudyOptions): Promise<EvaluationResult> {
    const started = performance.now();
    const found = this.reconstructedCases(mapKeyOf(request));
    if (found.length === 0) throw noReconstruction(mapKeyOf(request));
    const alpha = await this.pooledAlpha(request, found, pool, signal);
    const key = { ...mapKeyOf(request), alpha: alpha.value };
    const viewed = found.find((r) => r.conformed.caseId === request.viewCaseId);
    const viewedMap = viewed ? this.pooledCaseMap(viewed, key, pool, signal) : null;
    const queueRest = (): Map<Reconstructed, Promise<ScoredCase>> => {
      const rest = new Map(found.filter((r) => r !== viewed).map((r) => [r, this.pooledCaseMap(r, key, pool, signal)] as const));
      // Awaited below; this only keeps a rejection while the viewed case is awaited from counting as unhandled.
      for (const map of rest.values()) map.catch(() => undefined);
      return rest;
    };
    let rest = viewedMap && holdRestMs > 0 ? null : queueRest();
    if (viewedMap) {
      const first = await viewedMap;
      // Reported even when a newer request aborted this one meanwhile: the map is right for its key, and during a
      // slider drag (each move aborting the last) nothing would show until the drag stopped.
      onViewedCase?.({ key, metrics: caseMetrics(first, null), map: first.map.slice() });
      signal?.throwIfAborted();
    }
    if (!rest) {
      await abortableDelay(holdRestMs, signal);
      rest = queueRest();
    }
    const queued = rest;
    const scored = await Promise.all(found.map((r) => (r === viewed && viewedMap ? viewedMap : (queued.get(r) as Promise<ScoredCase>))));
    signal?.throwIfAborted();
    return this.finishScore(request, key, alpha, scored, started);
  }

  /**
   * The request's study at each of `seeds` (the cases reconstructed under the request's seed, reconstructed at the
   * others unless cached), summarized over seeds as `fqlab evaluate --seeds` does. Progress counts reconstructions.
   */
  async scoreSeeds(model: ReconstructionModel, request: ScoreRequest, seeds: readonly number[], onProgress?: (progress: Progress) => void): Promise<SeedSummary> {
    const caseIds = this.reconstructedCases(mapKeyOf(request)).map((r) => r.conformed.caseId);
    if (caseIds.length === 0) throw noReconstruction(mapKeyOf(request));
    const runs: EvaluationResult[] = [];
    for (const [index, seed] of seeds.entries()) {
      await this.reconstruct(model, { caseIds, noiseLevel: request.noiseLevel, seed }, (p) => onProgress?.({ done: index * p.total + p.done, total: seeds.length * p.total }));
      runs.push(this.score({ ...request, seed }));
    }
    return summarizeSeeds(runs);
  }

  /**
   * Only the precision-recall curve a score request would return (a change of the PR case): one case's map, from the
   * map cache when the request was scored, and no threshold or metrics.
   */
  prCurve(request: ScoreRequest): EvaluationResult['prCurve'] {
    const key = mapKeyOf(request);
    const found = this.reconstructedCases(key);
    if (found.length === 0) throw noReconstruction(key);
    const curveCase = prCurveCase(found.map((r) => r.conformed), request.prCaseId);
    const reconstructed = found.find((r) => r.conformed === curveCase);
    return reconstructed ? prCurveOf({ conformed: reconstructed.conformed, ...this.caseMap(reconstructed, key) }) : null;
  }

  private finishScore(request: ScoreRequest, key: MapKey, alpha: AlphaChoice, scored: ScoredCase[], started: number): EvaluationResult {
    const result = evaluateScored(scored, chooseThreshold(request, scored), request.prCaseId);
    const scoredIds = new Set(scored.map((c) => c.conformed.caseId));
    const notReconstructed = this.cases
      .all()
      .filter((c) => c.split !== 'healthy-train' && !scoredIds.has(c.caseId))
      .map((c) => c.caseId);
    const elapsedMs = performance.now() - started;
    this.timings.score = elapsedMs;
    return { ...result, key, alphaChoice: alpha, notReconstructed, elapsedMs };
  }

  /**
   * Dice and AUPRC (means over the evaluated split) for every alpha x noise level: each noise level is reconstructed
   * once for all non-training cases (and cached), then rescored per alpha with the threshold re-chosen from its source.
   * Sweep maps are read from the map cache but not added to it, so a sweep leaves what score() returns unchanged.
   * Progress counts one step per case reconstructed and one per alpha scored, per noise level.
   */
  async sweep(model: ReconstructionModel, request: SweepRequest, onProgress?: (progress: Progress) => void): Promise<SweepResult> {
    const started = performance.now();
    const { alphas, noiseLevels, seed } = request;
    const caseIds = this.cases.all().filter((c) => c.split !== 'healthy-train').map((c) => c.caseId);
    const total = noiseLevels.length * (caseIds.length + alphas.length);
    let done = 0;
    const cells: SweepCell[] = [];
    for (const noiseLevel of noiseLevels) {
      const before = done;
      await this.reconstruct(model, { caseIds, noiseLevel, seed }, (p) => {
        onProgress?.({ done: before + (p.total > 0 ? (p.done / p.total) * caseIds.length : 0), total });
      });
      done = before + caseIds.length;
      const reconstructed = this.reconstructedCases({ modelId: model.id, noiseLevel, seed }).filter(
        ({ conformed }) => conformed.split !== 'healthy-train' || request.thresholdSource === 'fpr-target',
      );
      for (const alpha of alphas) {
        const key: MapKey = { modelId: model.id, noiseLevel, seed, score: 'fq', alpha, ...(request.structural ? { structural: request.structural } : {}) };
        const scored = reconstructed.map((r) => ({ conformed: r.conformed, ...this.caseMap(r, key, false) }));
        const result = evaluateScored(scored, chooseThreshold(request, scored));
        cells.push({ alpha, noiseLevel, dice: result.mean.dice.mean, auprc: result.mean.auprc.mean });
        onProgress?.({ done: ++done, total });
      }
    }
    this.timings.sweep = performance.now() - started;
    return { cells, structural: request.structural ?? PAPER_PROTOCOL.structural.defaultTerm, best: bestCell(cells) };
  }

  /**
   * A layer of a case on the conformed grid. 'ssim-loss' and 'l1' are the raw quality maps; 'fq' is the
   * post-processed FQ anomaly map at the request's alpha; 'prediction' is the request's score map above its threshold
   * with components of <= 7 voxels removed; 'reconstruction' is in the model's (possibly AIR) space.
   */
  layer(request: LayerRequest): Volume {
    const conformed = this.cases.get(request.caseId);
    const grid = (data: Float32Array): Volume => ({ ...conformed.image, data });
    if (isCaseLayer(request.layer)) {
      if (request.layer === 'image') return conformed.image;
      if (request.layer === 'brain-mask') return conformed.brainMask;
      if (!conformed.seg) throw new FqlabError('bad-argument', conformed.caseId, 'this case has no segmentation; add one to the case to show it.');
      return conformed.seg;
    }
    const derived = request as DerivedLayerRequest;
    const entry = this.reconstructions.peek({ modelId: derived.modelId, caseId: conformed.caseId, noiseLevel: derived.noiseLevel, seed: derived.seed });
    if (!entry) {
      throw new FqlabError(
        'bad-argument',
        conformed.caseId,
        `this case has no reconstruction with this model at noise level ${derived.noiseLevel} and seed ${derived.seed}; reconstruct it first.`,
      );
    }
    if (derived.layer === 'reconstruction') return grid(entry.reconstruction);
    if (derived.layer === 'ssim-loss') return grid(entry.ssimLoss);
    if (derived.layer === 'l1') return grid(entry.l1);
    const key: MapKey = { ...mapKeyOf(derived), score: derived.score };
    if (derived.layer === 'fq') return grid(this.caseMap({ conformed, entry }, { ...key, score: 'fq', ...(derived.structural ? { structural: derived.structural } : {}) }).map);
    if (derived.threshold === null || !Number.isFinite(derived.threshold)) {
      throw new FqlabError('bad-argument', conformed.caseId, 'no threshold is set yet; score the cases with a threshold source that gives one first.');
    }
    const predictionKey: PredictionKey = { ...key, caseId: conformed.caseId, threshold: derived.threshold };
    let prediction = this.predictions.get(predictionKey);
    if (!prediction) {
      prediction = removeSmallComponents(binarize(this.caseMap({ conformed, entry }, key).map, derived.threshold), conformed.image.dims);
      this.predictions.set(predictionKey, prediction);
    }
    return grid(Float32Array.from(prediction));
  }
}

/** The map key a request names (its structural term only when it names one, so SSIM keys stay as they were). */
function mapKeyOf(request: MapKey): MapKey {
  const key: MapKey = { modelId: request.modelId, noiseLevel: request.noiseLevel, seed: request.seed, score: request.score, alpha: request.alpha };
  return request.structural ? { ...key, structural: request.structural } : key;
}

function noReconstruction(key: MapKey): FqlabError {
  return new FqlabError(
    'bad-argument',
    'reconstructions',
    `no case is reconstructed with this model at noise level ${key.noiseLevel} and seed ${key.seed}; run the reconstruction first.`,
  );
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
