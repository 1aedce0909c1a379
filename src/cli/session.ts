// A headless fqlab session for the CLI: the very FqlabWorker the browser runs in its Web Worker, driven in-process.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONFORMED_GRID } from '../core/conform/index.ts';
import { FqlabError } from '../core/errors.ts';
import type { BackendInfo, BackendPreference, CaseInfo, DataSplit, LoadedFileInfo, Modality, ModelInfo } from '../../workers/api.ts';
import { choiceFlag, requiredString, stringList, UsageError, type FlagSpec, type ParsedFlags } from './args.ts';
import { groupIntoCases, type NamedFile } from '../../workers/fileRoles.ts';
import { FqlabWorker } from '../../workers/fqlabWorker.ts';

const NIFTI_NAME = /\.nii(\.gz)?$/i;
export const BACKENDS = ['auto', 'wasm', 'cpu', 'webgpu'] as const satisfies readonly BackendPreference[];
export const MODALITIES = ['T1', 'T2', 'FLAIR', 'T1CE', 'PD'] as const satisfies readonly Modality[];

export interface CliSession {
  worker: FqlabWorker;
  backend: BackendInfo;
}

export async function openSession(backend: BackendPreference): Promise<CliSession> {
  const worker = new FqlabWorker();
  return { worker, backend: await worker.initBackend(backend) };
}

/** NIfTI files named directly, or found (recursively, sorted) in the named folders. */
export function expandNiftiPaths(paths: readonly string[]): string[] {
  const found: string[] = [];
  const visit = (path: string, named: boolean): void => {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      throw new FqlabError('bad-argument', path, 'no such file or folder; check the path.');
    }
    if (isFolder) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry), false);
    } else if (named || NIFTI_NAME.test(path)) {
      found.push(path);
    }
  };
  for (const path of paths) visit(path, true);
  return found;
}

/** Whether a loaded image is already on fqlab's conformed grid with [0, 1] values (e.g. the shipped demo). */
function looksConformed(info: LoadedFileInfo): boolean {
  return info.dims.every((d, a) => d === CONFORMED_GRID[a]) && info.min >= 0 && info.max <= 1;
}

/**
 * Loads files (or folders) as cases of one split: images are paired with their brain mask and segmentation by
 * name (workers/fileRoles.ts), conformed unless already on the 96x96x50 grid. Case ids get the split as prefix.
 */
export async function loadCases(session: CliSession, paths: readonly string[], split: DataSplit, modality?: Modality): Promise<CaseInfo[]> {
  const files: NamedFile[] = [];
  const infos = new Map<string, LoadedFileInfo>();
  for (const path of expandNiftiPaths(paths)) {
    const bytes = readFileSync(path);
    const info = await session.worker.loadFile(path, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    infos.set(info.fileId, info);
    files.push({ fileId: info.fileId, fileName: path });
  }
  const { cases, unassigned } = groupIntoCases(files);
  if (cases.length === 0) {
    throw new FqlabError('bad-argument', paths.join(', '), 'holds no image (only masks or segmentations?); name the images to use.');
  }
  if (unassigned.length > 0) {
    throw new FqlabError('bad-argument', unassigned[0].fileName,
      'could not be paired with an image by name; give masks and segmentations the image\'s name plus _brainmask / _seg.');
  }
  const defined: CaseInfo[] = [];
  for (const spec of cases) {
    const image = infos.get(spec.imageFileId);
    defined.push(await session.worker.defineCase({
      ...spec,
      caseId: `${split}:${spec.caseId}`,
      split,
      modality: modality ?? spec.modality,
      conformed: image !== undefined && looksConformed(image),
    }));
  }
  return defined;
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
  try {
    return { path, bytes: readFileSync(path) };
  } catch {
    throw new FqlabError('bad-argument', path, 'cannot be read; give the --out folder of `fqlab train` or a .fqlab checkpoint.');
  }
}

/** The flags evaluate and sweep share: the model, the validation and test volumes, modality and backend. */
export const EVALUATION_FLAGS: FlagSpec = {
  model: { type: 'string' },
  val: { type: 'string', multiple: true },
  test: { type: 'string', multiple: true },
  modality: { type: 'string' },
  backend: { type: 'string' },
};

export interface EvaluationSetup extends CliSession {
  checkpointPath: string;
  modelInfo: ModelInfo;
  validation: CaseInfo[];
  test: CaseInfo[];
}

/** Checks the shared flags before any work starts; returns what opening the session needs. */
export function evaluationFlags(flags: ParsedFlags): { model: string; valPaths: string[]; testPaths: string[]; modality?: Modality; backend: BackendPreference } {
  const model = requiredString(flags, 'model');
  const valPaths = stringList(flags, 'val');
  const testPaths = stringList(flags, 'test');
  if (valPaths.length === 0 || testPaths.length === 0) throw new UsageError('--val and --test are both required');
  const modality = flags.modality === undefined ? undefined : choiceFlag(flags, 'modality', MODALITIES, 'T2');
  return { model, valPaths, testPaths, modality, backend: choiceFlag(flags, 'backend', BACKENDS, 'auto') };
}

/** A session with the model's checkpoint loaded and the validation and test cases defined. */
export async function openEvaluation(options: ReturnType<typeof evaluationFlags>): Promise<EvaluationSetup> {
  const session = await openSession(options.backend);
  const checkpoint = readCheckpoint(options.model);
  const modelInfo = await session.worker.loadCheckpoint(checkpoint.bytes, checkpoint.path);
  const validation = await loadCases(session, options.valPaths, 'validation', options.modality);
  const test = await loadCases(session, options.testPaths, 'test', options.modality);
  return { ...session, checkpointPath: checkpoint.path, modelInfo, validation, test };
}
