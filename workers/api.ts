// The one typed interface between the workbench UI and the worker that owns every volume and tensor (called through comlink).
// The domain types live beside their code (core, engine, analysis, session); this file re-exports them, so the UI sees
// the whole vocabulary of the API in one place without importing the layers below.
import type { RegistrationProgress } from '../src/core/registration/index.ts';
import type { SeriesFile } from '../src/formats/readerTypes.ts';
import type { BackendChoice, BackendPreference } from '../src/engine/backend.ts';
import type { WebGpuKernelSet } from '../src/engine/webgpu/kernelFlags.ts';
import type { CaseSpec } from '../src/analysis/caseSpec.ts';
import type { EvaluationResult } from '../src/analysis/evaluate.ts';
import type { LayerRequest } from '../src/analysis/layers.ts';
import type { ReconstructRequest, ScoreRequest, SweepRequest, SweepResult, ViewedCaseScore } from '../src/analysis/pipeline.ts';
import type { SeedSummary } from '../src/analysis/seeds.ts';
import type { BackendCheckOptions, BackendCheckResult } from '../src/session/backendCheck.ts';
import type { LoadedFileInfo } from '../src/session/fileRegistry.ts';
import type { MethodSummary } from '../src/session/methods.ts';
import type { CaseInfo, Diagnostics, LayerFile, ProgressCallback } from '../src/session/session.ts';
import type { SkullStripResult } from '../src/session/skullStrip.ts';
import type { ModelInfo } from '../src/session/trainedModel.ts';
import type { TrainConfig, TrainProgress } from '../src/session/trainingRun.ts';

// The AIR transform is its own inverse: the compare strip undoes it on a reconstruction to show it in the scan's contrast.
export { airTransform, type AirMode } from '../src/core/air.ts';
export type { MethodName, MethodOptions } from '../src/engine/methods/types.ts';
export type { VaeVariant } from '../src/engine/methods/autoencoder/index.ts';
export { MODALITIES, type Modality } from '../src/core/modality.ts';
export type { Summary, ThresholdSource } from '../src/core/metrics/index.ts';
export type { BackendChoice, BackendPreference } from '../src/engine/backend.ts';
export { WEBGPU_KERNEL_SETS, type WebGpuKernelSet } from '../src/engine/webgpu/kernelFlags.ts';
export type { LossKind } from '../src/engine/loss.ts';
export type { NoiseType } from '../src/engine/noise.ts';
// Pure model-size arithmetic (no tfjs), so the model panel can describe the presets.
export { UNET_PRESETS, type UNetPresetName } from '../src/engine/unetConfig.ts';
export { unetForwardFlops, unetParameterCount } from '../src/engine/unetPlan.ts';
export { defaultGanSteps } from '../src/engine/methods/fanogan/split.ts';
export { DATA_SPLITS, type DataSplit } from '../src/analysis/caseStore.ts';
export type { CaseMetrics, EvaluationResult } from '../src/analysis/evaluate.ts';
export { ALPHA_SOURCES, type AlphaChoice, type AlphaSource } from '../src/analysis/alphaChoice.ts';
export { STRUCTURAL_TERMS, type StructuralTerm } from '../src/core/quality/structural.ts';
export { alphaMatters, SCORE_KINDS, structuralTermOf, type MapKey, type ReconstructionSetKey, type ScoreKind, type ScoreMapSettings } from '../src/analysis/keys.ts';
export { layerDependencyKey, layerRequest, type CaseLayer, type DerivedLayer, type LayerRequest, type MapLayer } from '../src/analysis/layers.ts';
export type { ReconstructRequest, ScoreKey, ScoreRequest, SweepCell, SweepRequest, SweepResult, ViewedCaseScore } from '../src/analysis/pipeline.ts';
export type { SeedSummary } from '../src/analysis/seeds.ts';
export type { ThresholdChoice, ThresholdSettings } from '../src/analysis/thresholdChoice.ts';
export type { CaseSpec } from '../src/analysis/caseSpec.ts';
// Name heuristics (pure), so the UI groups dropped files into cases as the CLI does.
export { groupIntoCases, guessModality, guessRole, subjectKey, type NamedFile, type VolumeRole } from '../src/analysis/fileRoles.ts';
export type { BackendCheckOptions, BackendCheckResult } from '../src/session/backendCheck.ts';
export type { LoadedFileInfo } from '../src/session/fileRegistry.ts';
export type { MethodPresetSummary, MethodSummary } from '../src/session/methods.ts';
export type { CaseInfo, Diagnostics, LayerFile, ProgressCallback } from '../src/session/session.ts';
export type { Throughput, ThroughputReading } from '../src/session/throughputLog.ts';
export type { WorkerError } from '../src/session/sessionErrors.ts';
export { registeredMaskName, type SkullStripResult } from '../src/session/skullStrip.ts';
export type { ModelInfo } from '../src/session/trainedModel.ts';
export type { TrainConfig, TrainProgress } from '../src/session/trainingRun.ts';
export type { SeriesFile };

export interface FqlabWorkerApi {
  initBackend(preference: BackendPreference): Promise<BackendChoice>;
  diagnostics(): Promise<Diagnostics>;
  /** Picks tfjs's stock WebGPU kernels or the engine's custom ones for the next ops. */
  setWebGpuKernels(set: WebGpuKernelSet): Promise<void>;
  /** Switches to a backend and runs a small seeded forward pass there (diagnostics panel, browser tests). */
  backendCheck(preference: BackendPreference, options?: BackendCheckOptions): Promise<BackendCheckResult>;
  /**
   * Parses one scan file (NIfTI, MetaImage .mha, NRRD, MGH/MGZ; format from the name); throws a WorkerError-shaped
   * error on bad input, leaving loaded files untouched. `fileId` re-uses an id (the client passes it when it replays
   * files into a restarted worker); omit it otherwise.
   */
  loadFile(fileName: string, bytes: ArrayBuffer, fileId?: string): Promise<LoadedFileInfo>;
  /**
   * Converts the DICOM files of one folder with dcm2niix and loads each series as a volume named
   * "<folderName>/<series number>_<description>". `fileIds` (output name -> id) restores exactly those outputs with
   * those ids, as the client does after a restart; omit it otherwise.
   */
  loadDicomSeries(folderName: string, files: SeriesFile[], fileIds?: Record<string, string>): Promise<LoadedFileInfo[]>;
  removeFile(fileId: string): Promise<void>;
  /**
   * Registers a loaded image to the shipped MNI template (rigid, then affine; elastix) and loads the template's brain
   * mask, warped onto the image's own grid, as a new file (atlas-based skull stripping for scans without a mask).
   */
  registerAndSkullStrip(fileId: string, onProgress: ProgressCallback<RegistrationProgress>): Promise<SkullStripResult>;
  /** Conforms a case (image + optional mask/seg) to 96x96x50; refuses mismatched grids. */
  defineCase(spec: CaseSpec): Promise<CaseInfo>;
  removeCase(caseId: string): Promise<void>;
  train(config: TrainConfig, onProgress: ProgressCallback<TrainProgress>): Promise<ModelInfo>;
  pauseTraining(): Promise<void>;
  resumeTraining(): Promise<void>;
  cancelTraining(): Promise<void>;
  /** Reconstructs the given cases with the named model at a noise level and seed (cached per model, case, noise level and seed). */
  reconstruct(request: ReconstructRequest, onProgress: ProgressCallback<{ done: number; total: number }>): Promise<void>;
  /**
   * Scores the cases reconstructed under the request's model, noise level and seed: maps, post-processing, threshold
   * and metrics (fast path of the alpha slider). The request says everything the result depends on. The request's
   * viewCaseId is scored first and sent to `onViewedCase` with its map (transferred) before the rest of the study; a
   * newer score call makes this one reject with code 'superseded' before its next case.
   */
  score(request: ScoreRequest, onViewedCase?: ProgressCallback<ViewedCaseScore>): Promise<EvaluationResult>;
  /**
   * The request's study at each seed (its cases reconstructed at the other seeds unless cached): per seed the means,
   * then mean ± std over seeds, as `fqlab evaluate --seeds` reports them. Progress counts slices reconstructed.
   */
  scoreSeeds(request: ScoreRequest, seeds: number[], onProgress: ProgressCallback<{ done: number; total: number }>): Promise<SeedSummary>;
  /** Only the precision-recall curve score(request) would return (its prCaseId changed): no threshold, no metrics. */
  prCurve(request: ScoreRequest): Promise<EvaluationResult['prCurve']>;
  /**
   * Dice/AUPRC means for every alpha x noise level over the non-training cases (FQ score; each noise level is
   * reconstructed once, then rescored per alpha). Reconstructions are cached; what score() returns does not change.
   */
  sweep(request: SweepRequest, onProgress: ProgressCallback<{ done: number; total: number }>): Promise<SweepResult>;
  /** A conformed layer for the viewer (AnalysisPipeline.layer says what each derived layer is). */
  getLayer(request: LayerRequest): Promise<LayerFile>;
  /** A layer resampled back onto the case image's original grid and affine, as .nii.gz bytes. */
  exportLayer(request: LayerRequest): Promise<LayerFile>;
  saveCheckpoint(): Promise<Uint8Array>;
  /** Loads a checkpoint as the current model; `fileName` (the file's name or path) labels refusals. */
  loadCheckpoint(bytes: Uint8Array, fileName: string): Promise<ModelInfo>;
  /** Every method of the registry with its presets' parameter counts and cost, for the Model panel. */
  methods(): Promise<MethodSummary[]>;
  /**
   * Keeps a checkpoint's model in the worker by its id beside the current one, for the comparison view: reconstruct,
   * scoreSeeds and score accept its id as they accept the current model's.
   */
  addComparisonModel(bytes: Uint8Array, fileName: string): Promise<ModelInfo>;
  /** Drops a model added for comparison (and its cached maps, unless it is also the current model). */
  removeComparisonModel(modelId: string): Promise<void>;
  /**
   * The checkpoint of a method without training (thresh) for the loaded healthy-train cases, made without touching
   * the current model (the demo's table adds it for comparison).
   */
  untrainedCheckpoint(config: TrainConfig): Promise<Uint8Array>;
}
