// The fqlab session: files, cases, model, training and analysis (the worker exposes it over comlink; the CLI drives it in-process).
import * as tf from '@tensorflow/tfjs';
import { makeConformedCase, type DataSplit } from '../analysis/caseStore.ts';
import { structuralTermOf } from '../analysis/keys.ts';
import { isCaseLayer, LABEL_LAYERS, type DerivedLayerRequest } from '../analysis/layers.ts';
import { AnalysisPipeline } from '../analysis/pipeline.ts';
import { InProcessScoringPool, SCORING_POOL_SETTINGS, type ScoringPool } from '../analysis/scoringPool.ts';
import { acceptConformed, conformVolumes, CURVATURE_FLOW_REFERENCE, mapToInputGrid, type CurvatureFlowOptions } from '../core/conform/index.ts';
import { FqlabError } from '../core/errors.ts';
import type { Modality } from '../core/modality.ts';
import { writeNifti } from '../core/nifti/index.ts';
import type { RegistrationProgress } from '../core/registration/index.ts';
import { APP_VERSION } from '../core/appVersion.ts';
import { compactProvenance, exportDescription, runProvenance, smoothingLabel, type RunProvenance } from '../core/provenance.ts';
import { noiseLevelProblem } from '../core/protocol.ts';
import { convertDicomSeries } from '../formats/dicomSeries.ts';
import type { ScanReaders } from '../formats/readerTypes.ts';
import { readScanFile } from '../formats/readScan.ts';
import { scanStem } from '../formats/scanFiles.ts';
import type { CaseSpec } from '../analysis/caseSpec.ts';
import type { EvaluationResult } from '../analysis/evaluate.ts';
import type { LayerRequest, MapLayer } from '../analysis/layers.ts';
import type { ReconstructionModel, ReconstructRequest, ScoreRequest, SweepRequest, SweepResult, ViewedCaseScore } from '../analysis/pipeline.ts';
import type { SeedSummary } from '../analysis/seeds.ts';
import type { SeriesFile } from '../formats/readerTypes.ts';
import { methodDescription, type BackendChoice, type BackendPreference, type ForwardHelpers, type GradientHelpers } from '../engine/index.ts';
import { activeKernelSet, selectWebGpuKernelSet, type WebGpuKernelSet } from '../engine/webgpu/kernelFlags.ts';
import { backendCheck, initEngineBackend, type BackendCheckOptions, type BackendCheckResult } from './backendCheck.ts';
import { FileRegistry, type LoadedFileInfo } from './fileRegistry.ts';
import { methodSummaries, type MethodSummary } from './methods.ts';
import { workerError } from './sessionErrors.ts';
import { registerAndSkullStrip, type RegistrationServices, type SkullStripResult } from './skullStrip.ts';
import { TemplateSpaceCases } from './templateSpaceCases.ts';
import { sliceForwardFlops, ThroughputLog, type Throughput } from './throughputLog.ts';
import { TrainedModel, type ModelInfo } from './trainedModel.ts';
import { trainModel, TrainingRun, untrainedCheckpoint, type TrainConfig, type TrainProgress } from './trainingRun.ts';

export interface Diagnostics {
  backend: BackendChoice | null;
  crossOriginIsolated: boolean;
  memory: { numTensors: number; numBytes: number };
  timings: Record<string, number>;
  /** The WebGPU kernels in force (custom or tfjs's stock ones; other backends ignore them). */
  kernelSet: ReturnType<typeof activeKernelSet>;
  throughput: Throughput;
}

export interface CaseInfo {
  caseId: string;
  split: DataSplit;
  modality: Modality;
  hasSegmentation: boolean;
  meanBrainIntensity: number;
  brainVoxels: number;
  airSuggested: boolean;
  /** Mean of the normal brain voxels, and of the anomalous ones (null without any): the AIR statistics (SPEC 2). */
  muNormal: number;
  muAnomalous: number | null;
  /** Voxels labelled anomalous on the conformed grid (0 without a segmentation). */
  anomalousVoxels: number;
  /** The read-time smoothing its image had, or null when none. */
  smoothing: CurvatureFlowOptions | null;
}

/** A conformed layer handed to the viewer as a NIfTI file (bytes transferred, not copied). */
export interface LayerFile {
  caseId: string;
  layer: MapLayer;
  fileName: string;
  bytes: Uint8Array;
  min: number;
  max: number;
  /** exportLayer of a derived map: its full provenance as JSON text, saved beside it (the NIfTI header holds 79 characters). */
  provenanceJson?: string;
}

export type ProgressCallback<T> = (progress: T) => void;

function volumeRange(data: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < min) min = data[i];
    if (data[i] > max) max = data[i];
  }
  return data.length > 0 ? { min, max } : { min: 0, max: 0 };
}

/** Options for tests and the worker entry (the browser passes the bundled WASM asset URLs). */
export interface SessionOptions {
  wasmPaths?: string | Record<string, string>;
  /** Readers for DICOM, MetaImage, NRRD and MGH (src/formats); without them only NIfTI loads. */
  scanReaders?: ScanReaders;
  /** elastix and the template (the browser entry passes the vendored ones); without them registration is refused. */
  registration?: RegistrationServices;
  /** Where cases are rescored (the browser entry passes a pool of Web Workers); default: in this thread. */
  scoringPool?: ScoringPool;
  /**
   * Starts engines that share each training step's micro-batches (the CLI's --threads: Node worker threads), closed
   * when the run ends; default: this engine alone. A step is the same to the bit either way.
   */
  gradientHelpers?: () => GradientHelpers | undefined;
  /**
   * Starts engines that share each U-Net forward of a reconstruction (the CLI's --threads: Node worker threads), at
   * the first one, kept for the session (idle, they keep no Node process alive); default: this engine alone. The maps
   * are the same to the bit either way.
   */
  forwardHelpers?: () => ForwardHelpers | undefined;
}

/**
 * Owns every volume and tensor of a session. Methods throw FqlabError / WorkerError values; the worker entry
 * (workers/fqlab.worker.ts) turns every throw into a plain WorkerError so code and file survive comlink.
 */
export class Session {
  readonly files = new FileRegistry();
  readonly pipeline = new AnalysisPipeline();
  private readonly caseSpecs = new Map<string, CaseSpec>();
  private readonly templateSpace = new TemplateSpaceCases();
  private backend: BackendChoice | null = null;
  private model: TrainedModel | null = null;
  /** Models kept beside the current one for the comparison view, by id (their own instances: each disposes alone). */
  private readonly comparisonModels = new Map<string, TrainedModel>();
  private training: TrainingRun | null = null;
  private readonly timings: Record<string, number> = {};
  private readonly throughput = new ThroughputLog();
  private readonly scoringPool: ScoringPool;
  /** The score request in progress; a newer one aborts it between cases. */
  private scoring: AbortController | null = null;
  /** The forward helpers once asked for (null before the first reconstruction). */
  private forwardHelpers: { helpers: ForwardHelpers | undefined } | null = null;

  constructor(private readonly options: SessionOptions = {}) {
    this.scoringPool = options.scoringPool ?? new InProcessScoringPool();
  }

  private time<T>(name: string, started: number, value: T): T {
    this.timings[name] = performance.now() - started;
    return value;
  }

  async initBackend(preference: BackendPreference): Promise<BackendChoice> {
    this.backend = await initEngineBackend(preference, this.options.wasmPaths);
    return this.backend;
  }

  /** Picks tfjs's stock WebGPU kernels or the engine's custom ones (kernelFlags.ts); the next op uses them. */
  async setWebGpuKernels(set: WebGpuKernelSet): Promise<void> {
    selectWebGpuKernelSet(set);
  }

  async backendCheck(preference: BackendPreference, options: BackendCheckOptions = {}): Promise<BackendCheckResult> {
    const result = await backendCheck(preference, options, this.options.wasmPaths);
    this.backend = result.backend;
    this.timings.backendCheck = result.elapsedMs;
    return result;
  }

  private async ensureBackend(): Promise<void> {
    if (!this.backend) await this.initBackend('auto');
  }

  async diagnostics(): Promise<Diagnostics> {
    // tf.memory() would start a backend; before initBackend nothing is allocated anyway.
    const memory = this.backend ? tf.memory() : { numTensors: 0, numBytes: 0 };
    return {
      backend: this.backend,
      crossOriginIsolated: Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
      memory: { numTensors: memory.numTensors, numBytes: memory.numBytes },
      timings: { ...this.pipeline.timings, ...this.timings },
      kernelSet: activeKernelSet(),
      throughput: this.throughput.snapshot(),
    };
  }

  async loadFile(fileName: string, bytes: ArrayBuffer, fileId?: string): Promise<LoadedFileInfo> {
    const started = performance.now();
    const image = await readScanFile(fileName, new Uint8Array(bytes), this.options.scanReaders ?? null);
    return this.time('loadFile', started, this.files.add(fileName, image, fileId));
  }

  async loadDicomSeries(folderName: string, files: SeriesFile[], fileIds?: Record<string, string>): Promise<LoadedFileInfo[]> {
    const started = performance.now();
    const readers = this.options.scanReaders;
    if (!readers) throw new FqlabError('not-dicom', folderName, 'cannot be converted: this fqlab build has no DICOM reader; convert the series to NIfTI (dcm2niix).');
    const series = await convertDicomSeries(folderName, files, readers);
    const wanted = fileIds ? series.filter((s) => s.fileName in fileIds) : series;
    const infos = wanted.map((s) => this.files.add(s.fileName, s.image, fileIds?.[s.fileName]));
    return this.time('loadDicomSeries', started, infos);
  }

  async removeFile(fileId: string): Promise<void> {
    this.files.delete(fileId);
    this.templateSpace.forgetFile(fileId);
  }

  async registerAndSkullStrip(fileId: string, onProgress: ProgressCallback<RegistrationProgress>): Promise<SkullStripResult> {
    const started = performance.now();
    return this.time('registerAndSkullStrip', started, await registerAndSkullStrip(this.files, this.options.registration, fileId, (p) => void onProgress(p)));
  }

  async defineCase(spec: CaseSpec): Promise<CaseInfo> {
    const started = performance.now();
    const image = this.files.get(spec.imageFileId, 'image');
    const mask = spec.brainMaskFileId ? this.files.get(spec.brainMaskFileId, 'brain mask') : null;
    const seg = spec.segFileId ? this.files.get(spec.segFileId, 'segmentation') : null;
    const input = {
      image: image.image.volume,
      brainMask: mask?.image.volume,
      seg: seg?.image.volume,
      fileName: image.info.fileName,
      brainMaskFileName: mask?.info.fileName,
      segFileName: seg?.info.fileName,
    };
    this.templateSpace.forget(spec.caseId);
    const smoothing = { smoothing: spec.smoothing === false ? null : CURVATURE_FLOW_REFERENCE };
    const conformed = spec.conformed
      ? acceptConformed(input)
      : conformVolumes(spec.registered ? await this.templateSpace.conformInput(spec, input, this.options.registration) : input, smoothing);
    // A redefined case drops its old reconstructions (its image, mask or split may have changed).
    this.pipeline.removeCase(spec.caseId);
    const conformedCase = makeConformedCase({ caseId: spec.caseId, split: spec.split, modality: spec.modality, imageFileName: image.info.fileName, ...conformed });
    this.pipeline.cases.put(conformedCase);
    this.caseSpecs.set(spec.caseId, { ...spec });
    const { stats } = conformed;
    return this.time('defineCase', started, {
      caseId: spec.caseId,
      split: spec.split,
      modality: spec.modality,
      hasSegmentation: conformed.seg !== null,
      meanBrainIntensity: stats.meanBrainIntensity,
      brainVoxels: stats.brainVoxels,
      airSuggested: stats.air.suggested,
      muNormal: stats.air.muNormal,
      muAnomalous: stats.air.muAnomalous,
      anomalousVoxels: conformedCase.anomalousVoxels,
      smoothing: stats.smoothing,
    });
  }

  async removeCase(caseId: string): Promise<void> {
    this.pipeline.removeCase(caseId);
    this.caseSpecs.delete(caseId);
    this.templateSpace.forget(caseId);
  }

  async train(config: TrainConfig, onProgress: ProgressCallback<TrainProgress>): Promise<ModelInfo> {
    if (this.training) throw workerError('busy', '', 'A training run is already going; pause or cancel it first.');
    await this.ensureBackend();
    const started = performance.now();
    const run = new TrainingRun();
    this.training = run;
    const helpers = this.options.gradientHelpers?.();
    try {
      const resumeFrom = config.resume ? this.requireModel() : null;
      // Worked out at the first report, once trainModel has checked the method and preset.
      let flops: number | null | undefined;
      const progress = (p: TrainProgress): void => {
        if (flops === undefined) flops = sliceForwardFlops(resumeFrom?.config ?? methodDescription(config.method ?? 'pddpm').trainingConfig(config.preset, {}, config.methodOptions));
        if (flops !== null) this.throughput.recordTraining(flops, p.slicesPerSecond);
        void onProgress(p);
      };
      const trained = await trainModel(this.pipeline.cases.all(), config, run, progress, resumeFrom, helpers);
      this.replaceModel(trained);
      return this.time('train', started, trained.info);
    } finally {
      this.training = null;
      await helpers?.close();
    }
  }

  private replaceModel(next: TrainedModel): void {
    if (this.model) {
      // Other weights make every cached map of the old ones unreachable (unless compared); the same checkpoint again keeps them.
      if (this.model.id !== next.id && !this.comparisonModels.has(this.model.id)) this.pipeline.forgetModel(this.model.id);
      this.model.dispose();
    }
    this.model = next;
  }

  async pauseTraining(): Promise<void> {
    this.training?.pause();
  }

  async resumeTraining(): Promise<void> {
    this.training?.resume();
  }

  async cancelTraining(): Promise<void> {
    this.training?.cancel();
  }

  private requireModel(): TrainedModel {
    if (!this.model) throw workerError('no-model', '', 'No model yet: train one or load a checkpoint first.');
    return this.model;
  }

  /**
   * The loaded model or a compared one, which must be the one a request names (a request for older weights must not
   * get newer maps).
   */
  private requireModelNamed(modelId: string): TrainedModel {
    const compared = this.comparisonModels.get(modelId);
    if (compared) return compared;
    const model = this.requireModel();
    if (model.id !== modelId) {
      throw workerError('stale-model', '', `The request names model ${modelId}, but the loaded model is ${model.id}; run it again for the loaded model.`);
    }
    return model;
  }

  /** A model as reconstructions run it: its U-Net forwards shared with the helpers (started at the first), its rate recorded. */
  private inferenceModel(model: TrainedModel): ReconstructionModel {
    // Only the diffusion methods' U-Net forwards are shared: other models start no helpers.
    if (model.config.unet === null) return this.throughput.measured(model);
    this.forwardHelpers ??= { helpers: this.options.forwardHelpers?.() };
    return this.throughput.measured(model.sharingForwards(this.forwardHelpers.helpers));
  }

  private static checkNoiseLevels(noiseLevels: readonly number[]): void {
    for (const noiseLevel of noiseLevels) {
      const problem = noiseLevelProblem(noiseLevel);
      if (problem) throw new FqlabError('bad-argument', 'noise level', `${noiseLevel} ${problem}.`);
    }
  }

  async reconstruct(request: ReconstructRequest, onProgress: ProgressCallback<{ done: number; total: number }>): Promise<void> {
    Session.checkNoiseLevels([request.noiseLevel]);
    await this.ensureBackend();
    const model = this.requireModelNamed(request.modelId);
    await this.pipeline.reconstruct(this.inferenceModel(model), request, (p) => void onProgress(p));
  }

  async score(request: ScoreRequest, onViewedCase?: ProgressCallback<ViewedCaseScore>): Promise<EvaluationResult> {
    this.requireModelNamed(request.modelId);
    const dragging = this.scoring !== null;
    this.scoring?.abort(workerError('superseded', '', 'A newer score request replaced this one before it finished; its result is not needed.'));
    const controller = new AbortController();
    this.scoring = controller;
    try {
      return await this.pipeline.scoreStudy(request, {
        pool: this.scoringPool,
        signal: controller.signal,
        onViewedCase: onViewedCase ? (viewed) => void onViewedCase(viewed) : undefined,
        holdRestMs: dragging ? SCORING_POOL_SETTINGS.dragHoldMs : 0,
      });
    } finally {
      if (this.scoring === controller) this.scoring = null;
    }
  }

  async scoreSeeds(request: ScoreRequest, seeds: number[], onProgress: ProgressCallback<{ done: number; total: number }>): Promise<SeedSummary> {
    await this.ensureBackend();
    return this.pipeline.scoreSeeds(this.inferenceModel(this.requireModelNamed(request.modelId)), request, seeds, (p) => void onProgress(p));
  }

  async prCurve(request: ScoreRequest): Promise<EvaluationResult['prCurve']> {
    this.requireModelNamed(request.modelId);
    return this.pipeline.prCurve(request);
  }

  async sweep(request: SweepRequest, onProgress: ProgressCallback<{ done: number; total: number }>): Promise<SweepResult> {
    Session.checkNoiseLevels(request.noiseLevels);
    await this.ensureBackend();
    return this.pipeline.sweep(this.inferenceModel(this.requireModelNamed(request.modelId)), request, (p) => void onProgress(p));
  }

  async getLayer(request: LayerRequest): Promise<LayerFile> {
    const started = performance.now();
    const { caseId, layer } = request;
    const volume = this.pipeline.layer(request);
    const bytes = writeNifti(volume, { datatype: LABEL_LAYERS.has(layer) ? 'uint8' : 'float32', gzip: false });
    return this.time('getLayer', started, { caseId, layer, fileName: `${caseId}_${layer}.nii`, bytes, ...volumeRange(volume.data) });
  }

  async exportLayer(request: LayerRequest): Promise<LayerFile> {
    const started = performance.now();
    const { caseId, layer } = request;
    const conformed = this.pipeline.cases.get(caseId);
    const isLabel = LABEL_LAYERS.has(layer);
    const interpolation = isLabel ? 'nearest' : 'linear';
    const onInput = this.templateSpace.toScanGrid(caseId, mapToInputGrid(this.pipeline.layer(request), conformed.mapping, interpolation), interpolation);
    const smoothing = smoothingLabel(conformed.stats.smoothing);
    const run = isCaseLayer(layer) ? null : this.exportProvenance(request as DerivedLayerRequest);
    const description = run ? compactProvenance(layer, run) : exportDescription(layer, [smoothing]);
    const bytes = writeNifti(onInput, { datatype: isLabel ? 'uint8' : 'float32', gzip: true, description });
    const fileName = `${scanStem(conformed.imageFileName)}_${layer}.nii.gz`;
    const provenanceJson = run ? JSON.stringify({ file: fileName, caseId, layer, ...run, smoothing }, null, 2) : undefined;
    return this.time('exportLayer', started, { caseId, layer, fileName, bytes, ...volumeRange(onInput.data), provenanceJson });
  }

  /** What a derived map was made with: the model that made it (the request names it) and the request's scoring. */
  private exportProvenance(request: DerivedLayerRequest): RunProvenance {
    const { score, alpha, noiseLevel, seed, threshold } = request;
    const structural = structuralTermOf(request) ?? 'ssim';
    const scored = { score, alpha, alphaSource: request.alphaSource ?? 'fixed', structural, noiseLevel, seed, threshold, thresholdSource: request.thresholdSource ?? 'unknown' };
    return runProvenance(this.requireModelNamed(request.modelId).info, scored, APP_VERSION);
  }

  async saveCheckpoint(): Promise<Uint8Array> {
    return this.requireModel().serialize();
  }

  async loadCheckpoint(bytes: Uint8Array, fileName: string): Promise<ModelInfo> {
    await this.ensureBackend();
    const loaded = TrainedModel.fromCheckpoint(bytes, fileName);
    this.replaceModel(loaded);
    return loaded.info;
  }

  async methods(): Promise<MethodSummary[]> {
    return methodSummaries();
  }

  async addComparisonModel(bytes: Uint8Array, fileName: string): Promise<ModelInfo> {
    await this.ensureBackend();
    const loaded = TrainedModel.fromCheckpoint(bytes, fileName);
    const kept = this.comparisonModels.get(loaded.id);
    if (kept) {
      loaded.dispose();
      return kept.info;
    }
    this.comparisonModels.set(loaded.id, loaded);
    return loaded.info;
  }

  async untrainedCheckpoint(config: TrainConfig): Promise<Uint8Array> {
    return untrainedCheckpoint(this.pipeline.cases.all(), config);
  }

  async removeComparisonModel(modelId: string): Promise<void> {
    const kept = this.comparisonModels.get(modelId);
    if (!kept) return;
    this.comparisonModels.delete(modelId);
    if (this.model?.id !== modelId) this.pipeline.forgetModel(modelId);
    kept.dispose();
  }
}
