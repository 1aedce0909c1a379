// The one typed interface between the workbench UI and the worker that owns every volume and tensor (called through comlink).
// The domain types live beside their code (core, engine, analysis); this file re-exports them, so the UI and the CLI
// see the whole vocabulary of the API in one place without importing the layers below.
import type { RegistrationProgress } from '../src/core/registration/index.ts';
import type { AirMode } from '../src/core/air.ts';
import type { CurvatureFlowOptions } from '../src/core/conform/index.ts';
import type { Modality } from '../src/core/modality.ts';
import type { Dims3 } from '../src/core/volume.ts';
import type { MethodName, MethodOptions } from '../src/engine/methods/types.ts';
import type { VaeVariant } from '../src/engine/methods/autoencoder/index.ts';
import type { SeriesFile } from '../src/formats/readerTypes.ts';
import type { ScanSource } from '../src/formats/scanFiles.ts';
import type { BackendChoice, BackendPreference } from '../src/engine/backend.ts';
import type { LossKind } from '../src/engine/loss.ts';
import type { NoiseType } from '../src/engine/noise.ts';
import type { UNetPresetName } from '../src/engine/unetConfig.ts';
import type { DataSplit } from '../src/analysis/caseStore.ts';
import type { EvaluationResult } from '../src/analysis/evaluate.ts';
import type { LayerRequest, MapLayer } from '../src/analysis/layers.ts';
import type { ReconstructRequest, ScoreRequest, SweepRequest, SweepResult, ViewedCaseScore } from '../src/analysis/pipeline.ts';
import type { SeedSummary } from '../src/analysis/seeds.ts';

// The AIR transform is its own inverse: the compare strip undoes it on a reconstruction to show it in the scan's contrast.
export { airTransform, type AirMode } from '../src/core/air.ts';
export type { MethodName, MethodOptions } from '../src/engine/methods/types.ts';
export type { VaeVariant } from '../src/engine/methods/autoencoder/index.ts';
export { MODALITIES, type Modality } from '../src/core/modality.ts';
export type { Summary, ThresholdSource } from '../src/core/metrics/index.ts';
export type { BackendChoice, BackendPreference } from '../src/engine/backend.ts';
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

/** What a loaded file holds, guessed from its name and editable in the UI. */
export type VolumeRole = 'image' | 'brain-mask' | 'segmentation';

/** A user-facing error crossing the worker boundary: code, file and an actionable message. */
export interface WorkerError {
  code: string;
  fileName: string;
  message: string;
}

/** Options of a backend self-check: a seeded tiny U-Net forward pass on a seeded input. */
export interface BackendCheckOptions {
  /** Axial 96 x 96 slices in the batch (default 2). */
  slices?: number;
  /** Seed of the weights, input and timestep (default 0). */
  seed?: number;
  /** Use WebGPU even on a software (fallback) adapter such as SwiftShader, which 'auto' skips (for tests). */
  allowSoftwareAdapter?: boolean;
}

/** The result of a backend self-check: same options on two backends must give the same output (to ~1e-3). */
export interface BackendCheckResult {
  backend: BackendChoice;
  /** The x0 prediction, slices x 96 x 96 (x fastest). */
  output: Float32Array;
  elapsedMs: number;
}

export interface Diagnostics {
  backend: BackendChoice | null;
  crossOriginIsolated: boolean;
  memory: { numTensors: number; numBytes: number };
  timings: Record<string, number>;
}

/** One loaded volume (header facts only; the voxels stay in the worker). */
export interface LoadedFileInfo {
  fileId: string;
  fileName: string;
  /** The format it was read from ('dicom': a series converted by dcm2niix). */
  source: ScanSource;
  dims: Dims3;
  spacing: readonly [number, number, number];
  orientation: string;
  datatypeName: string;
  min: number;
  max: number;
}

export type { SeriesFile };

/** How files make up one case: an image plus optional brain mask and segmentation on the same grid. */
export interface CaseSpec {
  caseId: string;
  imageFileId: string;
  brainMaskFileId?: string;
  segFileId?: string;
  modality: Modality;
  split: DataSplit;
  /** The files are already on fqlab's conformed 96x96x50 grid (e.g. the shipped demo): use them as they are. */
  conformed?: boolean;
  /**
   * Register the image to the MNI template first and conform it in template space, as the reference does with every
   * scan (the brain mask: the given one, else the template's); exports still come back on the image's own grid.
   */
  registered?: boolean;
  /**
   * Smooth the image as read with the reference's curvature flow before conforming (SPEC 1 step 0). Default true;
   * ignored for already conformed files, which are never smoothed.
   */
  smoothing?: boolean;
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

export interface TrainConfig {
  /** The method (src/engine/methods/; absent: pDDPM). */
  method?: MethodName;
  /**
   * The method's own choices (vae variant, thresh equalisation, f-AnoGAN's WGAN-GP steps; absent ganSteps: 3/4 of
   * `steps`, as the reference's 30,000 of 40,000); absent: its defaults.
   */
  methodOptions?: MethodOptions;
  preset: UNetPresetName;
  loss: LossKind;
  alpha: number;
  air: AirMode;
  noise: NoiseType;
  /** pDDPM (2x2 boxes) or plain DDPM (the whole slice as the box). */
  patched: boolean;
  steps: number;
  batchSize: number;
  seed: number;
  /** Evaluate DICE/AUPRC on the validation cases every this many steps (0 = never). */
  evaluateEvery: number;
  /**
   * Slices per forward/backward pass, gradients summed over the batch (default: the preset's, sized for the 4 GiB
   * WASM heap); a GPU with room can take the whole batch at once. Results agree up to float rounding.
   */
  microBatch?: number;
  /** Stop after this many seconds of training (0 or absent: no limit), keeping the best checkpoint so far. */
  maxSeconds?: number;
  /**
   * Continue the loaded model's own training run (its settings, weights, Adam and RNG state) up to `steps` steps in
   * all; preset, loss, noise, batch and seed above are then taken from its checkpoint, not from this config.
   */
  resume?: boolean;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  loss: number;
  valLoss: number | null;
  slicesPerSecond: number;
  etaSeconds: number;
  validationDice?: number | null;
  validationAuprc?: number | null;
  /** The training stage of a method that has several (f-AnoGAN). */
  stage?: string;
}

/** One preset of a method as the Model panel offers it: the registry's parameter count and, for U-Net methods, forward cost. */
export interface MethodPresetSummary {
  preset: UNetPresetName;
  /** Trainable parameters of all its networks (PyTorch's count), as `fqlab info` prints. */
  parameters: number;
  /** GFLOP of one forward pass on a 96x96 slice (U-Net methods; null for the others, whose cost the registry does not state). */
  gflopPerSlice: number | null;
}

/** One method of the registry as the Model panel describes it (`fqlab info` for every method and preset). */
export interface MethodSummary {
  name: MethodName;
  label: string;
  source: string;
  /** The benchmark's own code was never published: this follows the closest public reference. */
  surrogate: boolean;
  /** Whether it has weights to train (thresh does not: its model exists at once). */
  trains: boolean;
  presets: MethodPresetSummary[];
  /** The vae's variants (Baur's first) with their presets' sizes; absent for the other methods. */
  variants?: { variant: VaeVariant; presets: MethodPresetSummary[] }[];
  /** What its batch counts (svae trains on whole volumes) and the method's default batch in that unit. */
  batchUnit: 'slices' | 'volumes';
  defaultBatch: number;
}

export interface ModelInfo {
  /** The weights' identity (a hash of the checkpoint): every reconstruct, score, sweep and layer request names it. */
  modelId: string;
  method: MethodName;
  /** 'custom' for a checkpoint whose U-Net settings were edited away from every preset. */
  preset: UNetPresetName | 'custom';
  parameters: number;
  loss: LossKind;
  alpha: number;
  airApplied: boolean;
  /** How AIR was decided when the model was trained ('stats' for checkpoints that recorded 'auto'). */
  airMode: AirMode;
  /** The read-time smoothing of its training images, or null when none (and for checkpoints from before it was recorded). */
  smoothing: CurvatureFlowOptions | null;
  noise: NoiseType;
  patched: boolean;
  step: number;
  bestValLoss: number | null;
  /** The options its settings record (vae variant, thresh equalisation, f-AnoGAN's split). */
  methodOptions: MethodOptions;
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

/** An image registered to the template and skull-stripped by it: the new brain-mask file on the image's own grid. */
export interface SkullStripResult {
  /** The mask as a loaded file (already in the worker), named <image stem>_brainmask_registered.nii.gz. */
  mask: LoadedFileInfo;
  /** Its .nii.gz bytes (to save it, and to load it again into a restarted worker). */
  bytes: Uint8Array;
  template: 'head' | 'brain';
  templateReason: string;
  /** Row-major 4x4: a scan point (RAS+, mm) to the template point it matches. */
  scanToTemplate: number[];
  seconds: number;
}

export interface FqlabWorkerApi {
  initBackend(preference: BackendPreference): Promise<BackendChoice>;
  diagnostics(): Promise<Diagnostics>;
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
