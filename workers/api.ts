// The one typed interface between the workbench UI and the worker that owns every volume and tensor (called through comlink).
import type { RegistrationProgress } from '../src/core/registration/index.ts';
import type { AirMode } from '../src/core/air.ts';
import type { CurvatureFlowOptions } from '../src/core/conform/index.ts';
import type { Modality } from '../src/core/modality.ts';
import type { Dims3 } from '../src/core/volume.ts';
import type { MethodName } from '../src/engine/methods/types.ts';
import type { SeriesFile } from '../src/formats/readerTypes.ts';
import type { ScanSource } from '../src/formats/scanFiles.ts';

export type { AirMode, MethodName, Modality };

export type BackendPreference = 'auto' | 'webgpu' | 'wasm' | 'webgl' | 'cpu';
export type VolumeRole = 'image' | 'brain-mask' | 'segmentation';
export type DataSplit = 'healthy-train' | 'validation' | 'test';
export type ModelPreset = 'tiny' | 'small' | 'base' | 'paper';
export type TrainingLoss = 'l1' | 'fq';
export type NoiseType = 'simplex' | 'gaussian';
export type ScoreKind = 'fq' | 'l1' | 'ssim';
/** Layers the viewer can show for a case; all on the conformed 96x96x50 grid. */
export type MapLayer = 'image' | 'brain-mask' | 'segmentation' | 'reconstruction' | 'ssim-loss' | 'l1' | 'fq' | 'prediction';
export type ThresholdSource = 'validation-search' | 'exact-best-dice' | 'fpr-target' | 'manual';

/** A user-facing error crossing the worker boundary: code, file and an actionable message. */
export interface WorkerError {
  code: string;
  fileName: string;
  message: string;
}

export interface BackendInfo {
  name: string;
  reason: string;
  adapterInfo?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
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
  backend: BackendInfo;
  /** The x0 prediction, slices x 96 x 96 (x fastest). */
  output: Float32Array;
  elapsedMs: number;
}

export interface Diagnostics {
  backend: BackendInfo | null;
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
  /** Thresh only: histogram-equalise the brain first. */
  equalize?: boolean;
  preset: ModelPreset;
  loss: TrainingLoss;
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
}

export interface ModelInfo {
  method: MethodName;
  /** 'custom' for a checkpoint whose U-Net settings were edited away from every preset. */
  preset: ModelPreset | 'custom';
  parameters: number;
  loss: TrainingLoss;
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
}

export interface ScoreSettings {
  alpha: number;
  score: ScoreKind;
  thresholdSource: ThresholdSource;
  manualThreshold?: number;
  fprTarget?: number;
}

export interface CaseMetrics {
  caseId: string;
  split: DataSplit;
  auprc: number | null;
  auroc: number | null;
  dice: number | null;
  bestDiceOracle: number | null;
}

export interface MetricSummary {
  mean: number | null;
  std: number | null;
  n: number;
}

/** The binarisation threshold used for Dice; value is null (and Dice null) when its source has nothing to choose on. */
export interface ThresholdInfo {
  value: number | null;
  source: ThresholdSource;
  /** Pooled validation Dice at the threshold (validation-search, exact-best-dice). */
  pooledDice?: number | null;
  /** The healthy-voxel FPR aimed at (fpr-target). */
  fprTarget?: number;
  /** Why there is no threshold, or a caveat about the cases it was chosen on. */
  note?: string;
}

export interface EvaluationResult {
  threshold: ThresholdInfo;
  /** Every reconstructed case (all splits), at the current noise level and seed. */
  cases: CaseMetrics[];
  /** The split `mean` is over: 'test' when a test case has lesions, else 'validation'; null when no case has lesions. */
  meanOver: DataSplit | null;
  mean: { auprc: MetricSummary; auroc: MetricSummary; dice: MetricSummary; bestDiceOracle: MetricSummary };
  /** Precision-recall curve of one case (the one asked for, else the first test case with lesions). */
  prCurve: { caseId: string; precision: number[]; recall: number[] } | null;
  elapsedMs: number;
}

/** What a sweep keeps fixed while alpha and the noise level vary. */
export type SweepSettings = Omit<ScoreSettings, 'alpha' | 'score'>;

export interface SweepCell {
  alpha: number;
  noiseLevel: number;
  dice: number | null;
  auprc: number | null;
}

export interface SweepResult {
  cells: SweepCell[];
  best: SweepCell | null;
}

/** A conformed layer handed to the viewer as a NIfTI file (bytes transferred, not copied). */
export interface LayerFile {
  caseId: string;
  layer: MapLayer;
  fileName: string;
  bytes: Uint8Array;
  min: number;
  max: number;
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
  initBackend(preference: BackendPreference): Promise<BackendInfo>;
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
  /** Reconstructs the given cases at a noise level (cached per model, case, noise level and seed). */
  reconstruct(caseIds: string[], noiseLevel: number, seed: number, onProgress: ProgressCallback<{ done: number; total: number }>): Promise<void>;
  /** Rescores cached reconstructions: maps, post-processing, threshold and metrics (fast path of the alpha slider). */
  score(settings: ScoreSettings, prCaseId?: string): Promise<EvaluationResult>;
  /**
   * Dice/AUPRC means for every alpha x noise level over the non-training cases (FQ score; each noise level is
   * reconstructed once, then rescored per alpha). `settings` picks the threshold source (default validation-search).
   */
  sweep(
    alphas: number[],
    noiseLevels: number[],
    seed: number,
    onProgress: ProgressCallback<{ done: number; total: number }>,
    settings?: SweepSettings,
  ): Promise<SweepResult>;
  /**
   * A conformed layer for the viewer. 'ssim-loss' and 'l1' are the raw quality maps of the current reconstruction;
   * 'fq' is the post-processed FQ anomaly map (eroded brain mask, median filter) at the last scored alpha (0.84 before
   * any score); 'prediction' is that score map above the last threshold, small components removed; 'reconstruction'
   * is in the model's input space (AIR-inverted when the model uses AIR).
   */
  getLayer(caseId: string, layer: MapLayer): Promise<LayerFile>;
  /** A map resampled back onto the case image's original grid and affine, as .nii.gz bytes. */
  exportLayer(caseId: string, layer: MapLayer): Promise<LayerFile>;
  saveCheckpoint(): Promise<Uint8Array>;
  /** Loads a checkpoint as the current model; `fileName` (the file's name or path) labels refusals. */
  loadCheckpoint(bytes: Uint8Array, fileName: string): Promise<ModelInfo>;
}
