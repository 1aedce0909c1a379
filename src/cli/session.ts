// A headless fqlab session for the CLI: the very Session the browser's Web Worker exposes, driven in-process.
import { createHash } from 'node:crypto';
import { cpus } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { looksConformed } from '../core/conform/index.ts';
import { FqlabError } from '../core/errors.ts';
import { CHECKPOINT_FILE, NIFTI_FILE } from '../core/inputLimits.ts';
import { AIR_MODES, resolveAir, type AirMode } from '../core/air.ts';
import { methodDescription, serializeCheckpoint, type ForwardHelpers, type GradientHelpers } from '../engine/index.ts';
import { startEngineWorkers } from '../engine/nodeEngineWorkers.ts';
import { METHOD_FLAG, methodFlag } from './methodFlags.ts';
import { MODALITIES } from '../core/modality.ts';
import type { BackendChoice, BackendPreference } from '../engine/backend.ts';
import { selectWebGpuKernelSet, WEBGPU_KERNEL_SETS, type WebGpuKernelSet } from '../engine/webgpu/kernelFlags.ts';
import type { CaseInfo } from '../session/session.ts';
import type { DataSplit } from '../analysis/caseStore.ts';
import type { LoadedFileInfo } from '../session/fileRegistry.ts';
import type { Modality } from '../core/modality.ts';
import type { ModelInfo } from '../session/trainedModel.ts';
import { choiceFlag, integerFlag, requiredString, stringList, UsageError, type FlagSpec, type ParsedFlags } from './args.ts';
import { groupIntoCases, guessRole, type NamedFile } from '../analysis/fileRoles.ts';
import { Session } from '../session/session.ts';
import { readInputFile, systemReason } from './io.ts';
import { nodeScanReaders } from '../formats/readers.node.ts';
import { scanFormatOf } from '../formats/scanFiles.ts';
import { dicomFilesIn, readSeriesFiles } from './scanInput.ts';
export const BACKENDS = ['auto', 'wasm', 'cpu', 'webgpu'] as const satisfies readonly BackendPreference[];

export interface CliSession {
  /** The fqlab Session itself, driven in-process (the browser reaches the same class through its Web Worker). */
  session: Session;
  backend: BackendChoice;
}

/** The `--webgpu-kernels` flag of the commands that run the engine. */
export const WEBGPU_KERNELS_FLAG: FlagSpec = { 'webgpu-kernels': { type: 'string' } };
export const WEBGPU_KERNELS_USAGE =
  '  --webgpu-kernels custom runs the engine\'s own WebGPU kernels (src/engine/webgpu/kernelFlags.ts) where tfjs\'s stock\n' +
  '  ones are slow; stock (default) until scripts/gpu/measure.sh shows them faster on a GPU.\n';

/** The kernel set `--webgpu-kernels` names (stock when absent). */
export function webGpuKernelsFlag(flags: ParsedFlags): WebGpuKernelSet {
  return choiceFlag(flags, 'webgpu-kernels', WEBGPU_KERNEL_SETS, 'stock');
}

/** The `--threads` flag of the commands that run the engine (train, evaluate, sweep). */
export const THREADS_FLAG: FlagSpec = { threads: { type: 'string' } };

/** The engines `--threads` asks for: 1 (default) up to this machine's cores. */
export function threadsFlag(flags: ParsedFlags): number {
  return integerFlag(flags, 'threads', 1, 1, Math.max(1, cpus().length));
}

/**
 * `threads` > 1 adds that many engines minus one (worker threads) on WASM: to every training step and to every
 * U-Net forward of a reconstruction. `webgpuKernels` picks tfjs's stock WebGPU kernels or the engine's custom ones.
 */
export async function openSession(backend: BackendPreference, threads = 1, webgpuKernels: WebGpuKernelSet = 'stock'): Promise<CliSession> {
  selectWebGpuKernelSet(webgpuKernels);
  let chosen: BackendChoice | null = null;
  // The helper threads run WASM: only beside a WASM engine is a step or a forward the same to the bit as on one thread.
  const helpers = (): (GradientHelpers & ForwardHelpers) | undefined => (chosen?.name === 'wasm' ? startEngineWorkers(threads - 1) : undefined);
  const session = new Session({ scanReaders: nodeScanReaders, ...(threads > 1 ? { gradientHelpers: helpers, forwardHelpers: helpers } : {}) });
  chosen = await session.initBackend(backend);
  return { session, backend: chosen };
}

/**
 * Scan files named directly or found (recursively, sorted) in the named folders, and the folders holding DICOM files
 * directly (each converted as one group, as the browser converts each dropped folder).
 */
export function expandScanPaths(paths: readonly string[]): { files: string[]; dicomFolders: string[] } {
  const files: string[] = [];
  const dicomFolders: string[] = [];
  const visit = (path: string, named: boolean): void => {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch (error) {
      throw new FqlabError('bad-argument', path, `cannot be used (${systemReason(error)}); check the path.`);
    }
    if (isFolder) {
      let entries: string[];
      try {
        entries = readdirSync(path).sort();
      } catch (error) {
        throw new FqlabError('bad-argument', path, `is a folder that cannot be listed (${systemReason(error)}); check its permissions.`);
      }
      if (dicomFilesIn(path).length > 0) dicomFolders.push(path);
      for (const entry of entries) visit(join(path, entry), false);
    } else if (named || scanFormatOf(path) !== null) {
      files.push(path);
    }
  };
  for (const path of paths) visit(path, true);
  return { files, dicomFolders };
}

/** A defined case, plus whether its segmentation file has a lesion voxel (before conform: a cheap early check). */
export interface LoadedCase extends CaseInfo {
  segmentationHasLesion: boolean;
}

/** `--no-smoothing`, for every command that conforms scans: read-time smoothing (SPEC 1 step 0) is on by default. */
export const SMOOTHING_FLAG: FlagSpec = { 'no-smoothing': { type: 'boolean' } };

export const SMOOTHING_USAGE =
  '  Images are smoothed as read (curvature flow, time step 0.125, 3 iterations, as the reference) before they are\n' +
  '  conformed, never masks, segmentations or volumes already on the 96x96x50 grid; --no-smoothing skips it.\n';

/** Whether the scans are smoothed as read (no --no-smoothing). */
export function smoothingFlag(flags: ParsedFlags): boolean {
  return flags['no-smoothing'] !== true;
}

/**
 * Loads files (or folders) as cases of one split: images are paired with their brain mask and segmentation by
 * name (src/analysis/fileRoles.ts), conformed unless already on the 96x96x50 grid (smoothed as read unless `smoothing`
 * is false). Case ids get the split as prefix.
 */
export async function loadCases(
  cli: CliSession,
  paths: readonly string[],
  split: DataSplit,
  modality?: Modality,
  smoothing = true,
): Promise<LoadedCase[]> {
  return (await loadCaseShare(cli, paths, split, () => true, modality, smoothing)).cases;
}

/** The cases of one split a run works on, and the ids of all the split's cases (the same on every shard). */
export interface CaseShare {
  /** Every case the files hold, in name order, whether defined here or not. */
  caseIds: string[];
  /** The defined cases: those `keep` accepted. */
  cases: LoadedCase[];
}

/**
 * loadCases for one shard of a study: every file is read and grouped (so case ids and their order are those of an
 * unsharded run), but only the cases whose position `keep` accepts are conformed and defined; the others' files are let go.
 */
export async function loadCaseShare(
  cli: CliSession,
  paths: readonly string[],
  split: DataSplit,
  keep: (position: number) => boolean,
  modality?: Modality,
  smoothing = true,
): Promise<CaseShare> {
  const files: NamedFile[] = [];
  const infos = new Map<string, LoadedFileInfo>();
  const found = expandScanPaths(paths);
  const loaded: LoadedFileInfo[] = [];
  for (const path of found.files) {
    const bytes = readInputFile(path, NIFTI_FILE);
    loaded.push(await cli.session.loadFile(path, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  }
  for (const folder of found.dicomFolders) loaded.push(...(await cli.session.loadDicomSeries(folder, readSeriesFiles(folder))));
  for (const info of loaded) {
    infos.set(info.fileId, info);
    files.push({ fileId: info.fileId, fileName: info.fileName });
  }
  const { cases, unassigned } = groupIntoCases(files);
  if (cases.length === 0) {
    throw new FqlabError('bad-argument', paths.join(', '), 'holds no image (only masks or segmentations?); name the images to use.');
  }
  if (unassigned.length > 0) {
    throw new FqlabError('bad-argument', unassigned[0].fileName,
      'could not be paired with an image by name; give masks and segmentations the image\'s name plus _brainmask / _seg.');
  }
  const defined: LoadedCase[] = [];
  for (const [position, spec] of cases.entries()) {
    if (!keep(position)) {
      for (const fileId of [spec.imageFileId, spec.brainMaskFileId, spec.segFileId]) if (fileId) await cli.session.removeFile(fileId);
      continue;
    }
    const image = infos.get(spec.imageFileId);
    const seg = spec.segFileId ? infos.get(spec.segFileId) : undefined;
    const info = await cli.session.defineCase({
      ...spec,
      caseId: `${split}:${spec.caseId}`,
      split,
      modality: modality ?? spec.modality,
      conformed: image !== undefined && looksConformed(image),
      smoothing,
    });
    defined.push({ ...info, segmentationHasLesion: seg !== undefined && (seg.min !== 0 || seg.max !== 0) });
  }
  return { caseIds: cases.map((spec) => `${split}:${spec.caseId}`), cases: defined };
}

/** A model folder written by `fqlab train` (its model.fqlab) or a checkpoint file itself. */
export function checkpointPath(model: string): string {
  try {
    return statSync(model).isDirectory() ? join(model, 'model.fqlab') : model;
  } catch {
    throw new FqlabError('bad-argument', model, 'no such model folder or checkpoint file; give the --out folder of `fqlab train`.');
  }
}

export function readCheckpoint(model: string): { path: string; bytes: Uint8Array } {
  const path = checkpointPath(model);
  return { path, bytes: readInputFile(path, CHECKPOINT_FILE) };
}

/** The flags evaluate and sweep share: the model, the validation and test volumes, modality, smoothing and backend. */
export const EVALUATION_FLAGS: FlagSpec = {
  model: { type: 'string' },
  ...METHOD_FLAG,
  equalize: { type: 'boolean' },
  air: { type: 'string' },
  val: { type: 'string', multiple: true },
  test: { type: 'string', multiple: true },
  modality: { type: 'string' },
  backend: { type: 'string' },
  ...WEBGPU_KERNELS_FLAG,
  ...THREADS_FLAG,
  'allow-no-threshold': { type: 'boolean' },
  ...SMOOTHING_FLAG,
};

export interface EvaluationSetup extends CliSession {
  checkpointPath: string;
  /** SHA-256 of the checkpoint file, hex: what tells shards of one study apart from another model's. */
  checkpointSha256: string;
  modelInfo: ModelInfo;
  validation: CaseInfo[];
  /** The test cases this run evaluates (a shard's share, else all). */
  test: CaseInfo[];
  /** Every test case id, in order, on every shard. */
  testCaseIds: string[];
}

/** What evaluate and sweep say about --threads. */
export const INFERENCE_THREADS_USAGE =
  `  --threads N (WASM): N engines, N - 1 of them worker threads, share each reconstruction forward's slices (this\n` +
  `  machine has ${cpus().length} cores); the maps are the same to the bit.\n`;

/** Thresh needs no model: its settings, and how AIR is decided for it (on the evaluated cases' modalities by default). */
export interface ThreshSettings {
  equalize: boolean;
  air: Exclude<AirMode, 'stats'>;
}

/** What `--method thresh` without --model evaluates with. */
export const THRESH_USAGE =
  '  --method thresh needs no --model: the (AIR-transformed) intensity is the map, scored l1; --equalize histogram-\n' +
  '  equalises each brain first; --air modality (default: the rule on the cases\' modality) | on | off.\n';

export interface EvaluationOptions {
  /** The checkpoint (or model folder); null for thresh without a model. */
  model: string | null;
  /** Set exactly when model is null. */
  thresh?: ThreshSettings | null;
  valPaths: string[];
  testPaths: string[];
  modality?: Modality;
  smoothing: boolean;
  backend: BackendPreference;
  /** Stock when absent. */
  webgpuKernels?: WebGpuKernelSet;
  /** Engines sharing each forward (WASM; 1 when absent). */
  threads?: number;
  /** Report threshold-free metrics when no threshold can be chosen, instead of refusing. */
  allowNoThreshold?: boolean;
}

/** Checks the shared flags, and that validation and test share no image, before any work starts. */
export function evaluationFlags(flags: ParsedFlags): EvaluationOptions {
  const method = flags.method === undefined ? null : methodFlag(flags);
  const untrained = method !== null && !method.trains && flags.model === undefined;
  if (flags.model !== undefined && method !== null) throw new UsageError('give --model (its checkpoint records its method) or --method thresh, not both');
  if (!untrained && (flags.equalize !== undefined || flags.air !== undefined)) throw new UsageError('--equalize and --air are set at training time; here they go with --method thresh only');
  const model = untrained ? null : requiredString(flags, 'model');
  const thresh: ThreshSettings | null = untrained
    ? { equalize: flags.equalize === true, air: choiceFlag(flags, 'air', AIR_MODES.filter((m): m is ThreshSettings['air'] => m !== 'stats'), 'modality') }
    : null;
  const valPaths = stringList(flags, 'val');
  const testPaths = stringList(flags, 'test');
  if (valPaths.length === 0 || testPaths.length === 0) throw new UsageError('--val and --test are both required');
  const modality = flags.modality === undefined ? undefined : choiceFlag(flags, 'modality', MODALITIES, 'T2');
  refuseSharedImages(expandScanPaths(valPaths).files, expandScanPaths(testPaths).files);
  const backend = choiceFlag(flags, 'backend', BACKENDS, 'auto');
  const webgpuKernels = webGpuKernelsFlag(flags);
  const threads = threadsFlag(flags);
  return { model, thresh, valPaths, testPaths, modality, smoothing: smoothingFlag(flags), backend, webgpuKernels, threads, allowNoThreshold: flags['allow-no-threshold'] === true };
}

/**
 * Refuses an image given for validation and for test, as the same file (by any path) or as a copy (same bytes): the
 * threshold chosen on validation would then be tuned on the test set. Masks and segmentations may repeat.
 */
function refuseSharedImages(valFiles: readonly string[], testFiles: readonly string[]): void {
  const images = (files: readonly string[]) =>
    files.filter((path) => guessRole(path) === 'image').map((path) => ({ path, stats: statSync(path) }));
  const digests = new Map<string, string>();
  const digest = (path: string): string => {
    if (!digests.has(path)) digests.set(path, createHash('sha256').update(readInputFile(path, NIFTI_FILE)).digest('hex'));
    return digests.get(path)!;
  };
  const validation = images(valFiles);
  for (const test of images(testFiles)) {
    for (const val of validation) {
      const sameFile = val.stats.dev === test.stats.dev && val.stats.ino === test.stats.ino;
      const sameBytes = !sameFile && val.stats.size > 0 && val.stats.size === test.stats.size && digest(val.path) === digest(test.path);
      if (!sameFile && !sameBytes) continue;
      const how = sameFile ? `is the same file as --val ${val.path}` : `has the same content as --val ${val.path}`;
      throw new FqlabError('bad-argument', test.path,
        `is given as --test but ${how}, so the threshold would be tuned on the test set; give validation and test cases that do not overlap.`);
    }
  }
}

/** Refuses (unless allowed) an evaluation where no validation case has a lesion: no threshold, so no Dice. */
function requireLesionValidation(validation: readonly LoadedCase[], options: EvaluationOptions): void {
  if (options.allowNoThreshold || validation.some((c) => c.segmentationHasLesion)) return;
  throw new FqlabError('bad-argument', options.valPaths.join(', '),
    'no validation case has a segmentation with lesion voxels, so no threshold can be chosen and every Dice would be null; ' +
    'add validation cases with their _seg files, or pass --allow-no-threshold to report the threshold-free metrics only.');
}

/**
 * A session with the model's checkpoint loaded and the validation and test cases defined; `keepTest` picks a shard's
 * test cases by position (every validation case is always defined: the threshold is chosen on all of them).
 */
export async function openEvaluation(options: EvaluationOptions, keepTest: (position: number) => boolean = () => true): Promise<EvaluationSetup> {
  const cli = await openSession(options.backend, options.threads, options.webgpuKernels);
  const checkpoint = options.model === null ? null : readCheckpoint(options.model);
  const loaded = checkpoint === null ? null : await cli.session.loadCheckpoint(checkpoint.bytes, checkpoint.path);
  const validation = await loadCases(cli, options.valPaths, 'validation', options.modality, options.smoothing);
  requireLesionValidation(validation, options);
  const test = await loadCaseShare(cli, options.testPaths, 'test', keepTest, options.modality, options.smoothing);
  // Thresh's model is built here, once the cases (whose modality decides AIR by default) are known.
  const model = checkpoint ?? { path: 'thresh (no model)', bytes: threshCheckpoint(options.thresh, [...validation, ...test.cases]) };
  const modelInfo = loaded ?? (await cli.session.loadCheckpoint(model.bytes, model.path));
  const checkpointSha256 = createHash('sha256').update(model.bytes).digest('hex');
  return {
    ...cli,
    checkpointPath: model.path,
    checkpointSha256,
    modelInfo,
    validation,
    test: test.cases,
    testCaseIds: test.caseIds,
  };
}

/** The checkpoint of thresh's settings (it has no weights), AIR decided on the evaluated cases' modalities or by hand. */
function threshCheckpoint(settings: ThreshSettings | null | undefined, cases: readonly CaseInfo[]): Uint8Array {
  if (!settings) throw new Error('threshCheckpoint: no thresh settings');
  const modalities = [...new Set(cases.map((c) => c.modality))];
  const enabled = resolveAir(settings.air, { muNormal: 0, muAnomalous: null, air: null, suggested: false }, modalities, 'evaluated cases');
  const config = methodDescription('thresh').trainingConfig('paper', {
    air: { mode: settings.air, enabled, stats: null, modalities },
    // Nothing was trained: it was "prepared" as the cases are (so no smoothing mismatch is reported).
    smoothing: cases[0]?.smoothing ?? null,
  }, { equalize: settings.equalize });
  return serializeCheckpoint({ config, training: null, tensors: new Map() });
}
