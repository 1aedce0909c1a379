// The compute worker's implementation of FqlabWorkerApi: files, cases, model, training and analysis (plain class, testable in Node).
import * as tf from '@tensorflow/tfjs';
import { makeConformedCase } from '../src/analysis/caseStore.ts';
import { AnalysisPipeline } from '../src/analysis/pipeline.ts';
import { acceptConformed, conformVolumes, mapToInputGrid } from '../src/core/conform/index.ts';
import { FqlabError } from '../src/core/errors.ts';
import { niftiStem, writeNifti } from '../src/core/nifti/index.ts';
import type { Volume } from '../src/core/volume.ts';
import type {
  BackendCheckOptions,
  BackendCheckResult,
  BackendInfo,
  BackendPreference,
  CaseInfo,
  CaseSpec,
  Diagnostics,
  EvaluationResult,
  FqlabWorkerApi,
  LayerFile,
  LoadedFileInfo,
  MapLayer,
  ModelInfo,
  ProgressCallback,
  ScoreSettings,
  SweepResult,
  SweepSettings,
  TrainConfig,
  TrainProgress,
} from './api.ts';
import { FileRegistry } from './fileRegistry.ts';
import { backendCheck, initEngineBackend, TrainedModel, trainModel, TrainingControl } from './modelSession.ts';
import { workerError } from './workerError.ts';

/** Layers that are labels (exported as uint8, resampled nearest). */
const LABEL_LAYERS: ReadonlySet<MapLayer> = new Set(['brain-mask', 'segmentation', 'prediction']);

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
export interface FqlabWorkerOptions {
  wasmPaths?: string | Record<string, string>;
}

/**
 * Owns every volume and tensor of a session. Methods throw FqlabError / WorkerError values; the worker entry
 * (fqlab.worker.ts) turns every throw into a plain WorkerError so code and file survive comlink.
 */
export class FqlabWorker implements FqlabWorkerApi {
  readonly files = new FileRegistry();
  readonly pipeline = new AnalysisPipeline();
  private readonly caseSpecs = new Map<string, CaseSpec>();
  private backend: BackendInfo | null = null;
  private model: TrainedModel | null = null;
  private training: TrainingControl | null = null;
  private readonly timings: Record<string, number> = {};

  constructor(private readonly options: FqlabWorkerOptions = {}) {}

  private time<T>(name: string, started: number, value: T): T {
    this.timings[name] = performance.now() - started;
    return value;
  }

  async initBackend(preference: BackendPreference): Promise<BackendInfo> {
    this.backend = await initEngineBackend(preference, this.options.wasmPaths);
    return this.backend;
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
    };
  }

  async loadFile(fileName: string, bytes: ArrayBuffer, fileId?: string): Promise<LoadedFileInfo> {
    const started = performance.now();
    return this.time('loadFile', started, this.files.load(fileName, new Uint8Array(bytes), fileId));
  }

  async removeFile(fileId: string): Promise<void> {
    this.files.delete(fileId);
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
    const conformed = spec.conformed ? acceptConformed(input) : conformVolumes(input);
    // A redefined case drops its old reconstructions (its image, mask or split may have changed).
    this.pipeline.removeCase(spec.caseId);
    this.pipeline.cases.put(
      makeConformedCase({ caseId: spec.caseId, split: spec.split, modality: spec.modality, imageFileName: image.info.fileName, ...conformed }),
    );
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
    });
  }

  async removeCase(caseId: string): Promise<void> {
    this.pipeline.removeCase(caseId);
    this.caseSpecs.delete(caseId);
  }

  async train(config: TrainConfig, onProgress: ProgressCallback<TrainProgress>): Promise<ModelInfo> {
    if (this.training) throw workerError('busy', '', 'A training run is already going; pause or cancel it first.');
    await this.ensureBackend();
    const started = performance.now();
    const control = new TrainingControl();
    this.training = control;
    try {
      const resumeFrom = config.resume ? this.requireModel() : null;
      const trained = await trainModel(this.pipeline.cases.all(), config, control, (p) => void onProgress(p), resumeFrom);
      this.replaceModel(trained);
      return this.time('train', started, trained.info);
    } finally {
      this.training = null;
    }
  }

  private replaceModel(next: TrainedModel): void {
    if (this.model) {
      this.pipeline.forgetModel(this.model.id);
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

  async reconstruct(
    caseIds: string[],
    noiseLevel: number,
    seed: number,
    onProgress: ProgressCallback<{ done: number; total: number }>,
  ): Promise<void> {
    if (!(Number.isInteger(noiseLevel) && noiseLevel >= 1 && noiseLevel <= 1000)) {
      throw new FqlabError('bad-argument', 'noise level', `${noiseLevel} is not an integer in [1, 1000]; the paper uses 500 (pDDPM) or 750 (pDDPM-IQA).`);
    }
    await this.ensureBackend();
    const model = this.requireModel();
    await this.pipeline.reconstruct(model, caseIds, noiseLevel, seed, (p) => void onProgress(p));
  }

  async score(settings: ScoreSettings, prCaseId?: string): Promise<EvaluationResult> {
    return this.pipeline.score(this.requireModel(), settings, prCaseId);
  }

  async sweep(
    alphas: number[],
    noiseLevels: number[],
    seed: number,
    onProgress: ProgressCallback<{ done: number; total: number }>,
    settings: SweepSettings = { thresholdSource: 'validation-search' },
  ): Promise<SweepResult> {
    await this.ensureBackend();
    return this.pipeline.sweep(this.requireModel(), alphas, noiseLevels, seed, settings, (p) => void onProgress(p));
  }

  private layerVolume(caseId: string, layer: MapLayer): Volume {
    return this.pipeline.layer(this.model?.id ?? null, caseId, layer);
  }

  async getLayer(caseId: string, layer: MapLayer): Promise<LayerFile> {
    const started = performance.now();
    const volume = this.layerVolume(caseId, layer);
    const bytes = writeNifti(volume, { datatype: LABEL_LAYERS.has(layer) ? 'uint8' : 'float32', gzip: false });
    return this.time('getLayer', started, { caseId, layer, fileName: `${caseId}_${layer}.nii`, bytes, ...volumeRange(volume.data) });
  }

  async exportLayer(caseId: string, layer: MapLayer): Promise<LayerFile> {
    const started = performance.now();
    const conformed = this.pipeline.cases.get(caseId);
    const isLabel = LABEL_LAYERS.has(layer);
    const onInput = mapToInputGrid(this.layerVolume(caseId, layer), conformed.mapping, isLabel ? 'nearest' : 'linear');
    const bytes = writeNifti(onInput, { datatype: isLabel ? 'uint8' : 'float32', gzip: true, description: `fqlab ${layer}` });
    const fileName = `${niftiStem(conformed.imageFileName)}_${layer}.nii.gz`;
    return this.time('exportLayer', started, { caseId, layer, fileName, bytes, ...volumeRange(onInput.data) });
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
}
