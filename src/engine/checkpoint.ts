// The fqlab checkpoint file: one binary blob holding the training config, the training state and all float32 tensors.
import { FqlabError, type FqlabErrorCode } from '../core/errors.ts';
import { checkpointHeaderSchema, describeHeaderIssue } from './checkpointSchema.ts';
import { upgradeTrainingConfig, type SavedTrainingConfig, type TrainingConfig } from './trainingConfig.ts';
import type { TrainingState } from './trainingState.ts';
import { methodOf, methodParamSpecs } from './methods/registry.ts';

/**
 * Format "FQLABCK1", version 1 (all integers little-endian):
 *
 *   offset 0   8 bytes   magic, ASCII "FQLABCK1"
 *   offset 8   uint32    H = byte length of the JSON header
 *   offset 12  H bytes   UTF-8 JSON header (below)
 *   then       0-3 zero bytes so the data section starts at a multiple of 4
 *   data       float32 LE values of every tensor, at the offsets the header gives
 *
 * JSON header:
 *   { "format": "fqlab-checkpoint", "version": 1,
 *     "config":   TrainingConfig: method (absent before methods existed: pDDPM), preset, U-Net config (null for a
 *                 non-diffusion method, whose network and options are in "baseline"), patching, loss, alpha, loss range, noise type
 *                 and simplex parameters, schedule, Adam settings, batch size, seed, slice sampling,
 *                 AIR (mode, on/off, statistics, training modalities), validation settings; older
 *                 checkpoints load through upgradeTrainingConfig (AIR mode 'auto' = 'stats'),
 *     "training": null (weights only) or TrainingState: step, best validation loss and its step,
 *                 history [{ step, loss, valLoss }], RNG state, slice-sampler state, Adam step,
 *     "tensors":  [{ "name", "shape", "dtype": "float32", "offset" (bytes from the data start) }] }
 *
 * Tensor names: "model/<weight>" = the weights to use for inference (lowest validation loss, or the
 * latest without validation); with a training state also "current/<weight>" (latest weights) and
 * "adam.m/<weight>", "adam.v/<weight>" (Adam moments; f-AnoGAN's encoder trains with RMSprop: its mean squares in
 * "adam.v/", zeros in "adam.m/"), which resume training exactly. <weight> is the
 * guided-diffusion state_dict name (e.g. "input_blocks.1.0.in_layers.2.weight"); layouts are tfjs's:
 * conv [kh, kw, in, out], linear [in, out], norms [C].
 *
 * Reading checks everything (checkpointSchema.ts): config and training state within sane ranges, tensor shapes of
 * positive integers, offsets 4-aligned, in bounds and not overlapping, every value finite. checkCheckpointTensors
 * then checks that the tensors fit the config's U-Net, before a model is built from them.
 */
export const CHECKPOINT_DOC = 'fqlab checkpoint: "FQLABCK1", uint32 LE JSON header length, JSON header {format, version, config, training, tensors[{name, shape, dtype, offset}]}, padding to 4 bytes, float32 LE tensor data';

export const CHECKPOINT_MAGIC = 'FQLABCK1';
export const CHECKPOINT_VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  offset: number;
}

export interface CheckpointHeader {
  format: 'fqlab-checkpoint';
  version: number;
  config: SavedTrainingConfig;
  training: TrainingState | null;
  tensors: TensorEntry[];
}

/** A checkpoint in memory. */
export interface CheckpointContents {
  config: TrainingConfig;
  training: TrainingState | null;
  tensors: Map<string, { shape: number[]; values: Float32Array }>;
}

const MAGIC_BYTES = new TextEncoder().encode(CHECKPOINT_MAGIC);
const IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Writes a checkpoint to bytes (the caller saves or downloads them). */
export function serializeCheckpoint(contents: CheckpointContents): Uint8Array {
  const entries: TensorEntry[] = [];
  let dataBytes = 0;
  for (const [name, t] of contents.tensors) {
    const count = elementCount(t.shape);
    if (count !== t.values.length) throw new RangeError(`serializeCheckpoint: ${name} has ${t.values.length} values for shape [${t.shape}]`);
    entries.push({ name, shape: [...t.shape], dtype: 'float32', offset: dataBytes });
    dataBytes += 4 * count;
  }
  const header: CheckpointHeader = { format: 'fqlab-checkpoint', version: CHECKPOINT_VERSION, config: contents.config, training: contents.training, tensors: entries };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const bytes = new Uint8Array(dataStart + dataBytes);
  bytes.set(MAGIC_BYTES, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  let i = 0;
  for (const t of contents.tensors.values()) {
    const at = dataStart + entries[i++].offset;
    if (IS_LITTLE_ENDIAN) bytes.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), at);
    else t.values.forEach((v, k) => view.setFloat32(at + 4 * k, v, true));
  }
  return bytes;
}

/** Reads and checks a checkpoint; refusals are FqlabErrors naming `fileName` and the field. Tensor values are copies (safe to keep). */
export function deserializeCheckpoint(bytes: Uint8Array, fileName: string): CheckpointContents {
  if (bytes.length < 12) refuse(fileName, 'the file is too short to be an fqlab checkpoint', 'truncated');
  for (let i = 0; i < MAGIC_BYTES.length; i++) if (bytes[i] !== MAGIC_BYTES[i]) refuse(fileName, `not an fqlab checkpoint (it does not start with "${CHECKPOINT_MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) refuse(fileName, 'the header runs past the end of the file', 'truncated');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    return refuse(fileName, 'the JSON header is unreadable');
  }
  const preamble = (typeof raw === 'object' && raw !== null ? raw : {}) as { format?: unknown; version?: unknown };
  if (preamble.format !== 'fqlab-checkpoint') refuse(fileName, 'the JSON header does not say format "fqlab-checkpoint"');
  if (preamble.version !== CHECKPOINT_VERSION) refuse(fileName, `format version ${JSON.stringify(preamble.version)} is not supported (this fqlab reads version ${CHECKPOINT_VERSION})`);
  const parsed = checkpointHeaderSchema.safeParse(raw);
  if (!parsed.success) return refuse(fileName, describeHeaderIssue(raw, parsed.error.issues[0]));
  const header = parsed.data;

  const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
  const names = new Set<string>();
  for (const e of header.tensors) {
    if (names.has(e.name)) refuse(fileName, `tensor ${JSON.stringify(e.name)} is listed twice`);
    names.add(e.name);
  }
  // In bounds and disjoint, so the copies below never exceed the file's own size.
  let end = 0;
  let previous = '';
  for (const e of [...header.tensors].sort((a, b) => a.offset - b.offset)) {
    if (e.offset < end) refuse(fileName, `tensor ${JSON.stringify(e.name)} (offset ${e.offset}) overlaps tensor ${JSON.stringify(previous)}`);
    end = e.offset + 4 * elementCount(e.shape);
    if (dataStart + end > bytes.length) refuse(fileName, `tensor ${JSON.stringify(e.name)} runs past the end of the file`, 'truncated');
    previous = e.name;
  }
  const tensors = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const e of header.tensors) {
    const count = elementCount(e.shape);
    const at = dataStart + e.offset;
    const values = new Float32Array(count);
    if (IS_LITTLE_ENDIAN) new Uint8Array(values.buffer).set(bytes.subarray(at, at + 4 * count));
    else for (let k = 0; k < count; k++) values[k] = view.getFloat32(at + 4 * k, true);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) refuse(fileName, `tensor ${JSON.stringify(e.name)} holds ${values[bad]} at index ${bad}; its weights are broken (a diverged or damaged run)`, 'non-finite');
    tensors.set(e.name, { shape: e.shape, values });
  }
  return { config: upgradeTrainingConfig(header.config), training: header.training, tensors };
}

/** Throws the FqlabError for an unusable checkpoint. */
function refuse(fileName: string, problem: string, code: FqlabErrorCode = 'bad-header'): never {
  throw new FqlabError(code, fileName, `${problem}; choose a checkpoint saved by fqlab`);
}

/** Number of values of a shape ([] is a scalar). */
function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Checks that a read checkpoint's tensors are exactly the weights of its config's network (its method's: the U-Net
 * for pDDPM and DDPM): "model/" always, and with a training state also "current/", and "adam.m/" and "adam.v/" for the
 * trainable ones (second moments >= 0); refuses naming the file and the tensor.
 */
export function checkCheckpointTensors(contents: CheckpointContents, fileName: string): void {
  const specs = methodParamSpecs(contents.config);
  const network = contents.config.unet !== null ? 'U-Net' : `${methodOf(contents.config).label} network`;
  const prefixes = contents.training === null ? ['model'] : ['model', 'current', 'adam.m', 'adam.v'];
  const expected = new Set<string>();
  for (const prefix of prefixes) {
    for (const spec of specs) {
      if (prefix.startsWith('adam.') && spec.trainable === false) continue;
      const name = `${prefix}/${spec.name}`;
      expected.add(name);
      const t = contents.tensors.get(name);
      if (t === undefined) refuse(fileName, `tensor ${JSON.stringify(name)} is missing (its ${network} settings need it)`);
      if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
        refuse(fileName, `tensor ${JSON.stringify(name)} has shape [${t.shape.join(', ')}] where its ${network} settings need [${spec.shape.join(', ')}]`);
      }
      if (prefix === 'adam.v' && t.values.some((v) => v < 0)) refuse(fileName, `tensor ${JSON.stringify(name)} holds negative second moments`);
    }
  }
  for (const name of contents.tensors.keys()) if (!expected.has(name)) refuse(fileName, `tensor ${JSON.stringify(name)} is not part of its ${network}${contents.training === null ? ' (a weights-only checkpoint)' : ''}`);
}

/** The same checkpoint with only its inference weights ("model/"): a quarter of the size, for sharing; it cannot resume training. */
export function weightsOnlyCheckpoint(bytes: Uint8Array, fileName: string): Uint8Array {
  const contents = deserializeCheckpoint(bytes, fileName);
  const tensors = new Map([...contents.tensors].filter(([name]) => name.startsWith('model/')));
  return serializeCheckpoint({ config: contents.config, training: null, tensors });
}

/** The weights under one prefix ("model", "current", "adam.m", "adam.v"), keyed by weight name. */
export function checkpointWeights(contents: CheckpointContents, prefix: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const p = `${prefix}/`;
  for (const [name, t] of contents.tensors) if (name.startsWith(p)) out.set(name.slice(p.length), t.values);
  return out;
}
