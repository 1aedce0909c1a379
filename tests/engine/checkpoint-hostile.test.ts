// Damaged and hostile checkpoints: every config value, training-state field and tensor entry out of range is refused in one line naming the file and the field.
import { describe, expect, it } from 'vitest';
import { FqlabError } from '../../src/core/errors.ts';
import { checkCheckpointTensors, deserializeCheckpoint, serializeCheckpoint } from '../../src/engine/index.ts';
import { smallCheckpoint, smallCheckpointBytes, withHeader, withTensorValue } from './checkpointSamples.ts';

const FILE = '/runs/t2/model.fqlab';
const PREFIX = /^\/runs\/t2\/model\.fqlab: /;

type Header = Record<string, unknown> & { config: Record<string, unknown>; training: Record<string, unknown>; tensors: Record<string, unknown>[] };

/** The FqlabError that reading (and checking) `bytes` throws; any other outcome fails the test. */
function refusal(bytes: Uint8Array): FqlabError {
  try {
    checkCheckpointTensors(deserializeCheckpoint(bytes, FILE), FILE);
  } catch (error) {
    if (error instanceof FqlabError) return error;
    throw error;
  }
  throw new Error('the checkpoint was accepted');
}

/** Refusal of the small checkpoint after `edit` changed its header. */
function refusalAfter(edit: (header: Header) => void): FqlabError {
  return refusal(withHeader(smallCheckpointBytes(), (h) => {
    edit(h as Header);
    return h;
  }));
}

function expectRefused(error: FqlabError, message: RegExp, code = 'bad-header'): void {
  expect(error.fileName).toBe(FILE);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(PREFIX);
  expect(error.message).toMatch(message);
  expect(error.message).not.toMatch(/\n/);
  expect(error.message).toMatch(/choose a checkpoint saved by fqlab$/);
}

describe('checkpoint config values', () => {
  it('the small sample itself is accepted, so every refusal below is about the one edit', () => {
    const contents = deserializeCheckpoint(smallCheckpointBytes(), FILE);
    expect(() => checkCheckpointTensors(contents, FILE)).not.toThrow();
    expect(contents).toEqual(smallCheckpoint());
  });

  it('refuses diffusionSteps 2e9 before anything is allocated', () => {
    expectRefused(refusalAfter((h) => (h.config.diffusionSteps = 2e9)), /header field config\.diffusionSteps: too big: expected number to be <=100000 \(found 2000000000\)/);
  });

  it.each([0, -5, 1.5, '1000', null])('refuses diffusionSteps %j', (steps) => {
    expectRefused(refusalAfter((h) => (h.config.diffusionSteps = steps)), /header field config\.diffusionSteps: /);
  });

  it.each([
    ['noise', 'perlin'],
    ['patching', 'tiles'],
    ['loss', 'l2'],
    ['lossRange', 'full'],
    ['preset', 'huge'],
  ])('refuses an unknown %s (%j)', (field, value) => {
    expectRefused(refusalAfter((h) => (h.config[field] = value)), new RegExp(`header field config\\.${field}: invalid option: expected one of .*\\(found "${value}"\\)`));
  });

  it.each([
    [[-96, 96, 50], /config\.dims\[0\]: too small/],
    [[16, 16, 0], /config\.dims\[2\]: too small/],
    [[1e9, 1e9, 1e9], /config\.dims\[0\]: too big/],
    [[16, 16, 0.5], /config\.dims\[2\]: invalid input: expected int/],
    [[16, 12, 4], /config\.dims: slices must be square, not 16 x 12/],
    [[15, 15, 4], /config\.dims: the slice side 15 is not a multiple of 2/],
    ['abc', /config\.dims: invalid input: expected tuple/],
  ])('refuses dims %j', (dims, message) => {
    expectRefused(refusalAfter((h) => (h.config.dims = dims)), message);
  });

  it('refuses U-Net settings that ask for an absurd or inconsistent model', () => {
    const unet = (edit: Record<string, unknown>) => refusalAfter((h) => Object.assign(h.config.unet as object, edit));
    expectRefused(unet({ modelChannels: 1024, channelMult: [16, 16, 16, 16, 16, 16] }), /config\.unet: asks for a U-Net of \d+ parameters, more than the 200000000 fqlab allows/);
    expectRefused(unet({ modelChannels: 1e6 }), /config\.unet\.modelChannels: too big/);
    expectRefused(unet({ channelMult: [] }), /config\.unet\.channelMult: too small/);
    expectRefused(unet({ channelMult: [1, 2, 2, 2, 2, 2, 2] }), /config\.unet\.channelMult: too big/);
    expectRefused(unet({ groups: 3 }), /config\.unet\.groups: 2 channels do not split into 3 groups/);
    expectRefused(unet({ numHeads: 3 }), /config\.unet\.numHeads: 2 middle channels do not split into 3 heads/);
    expectRefused(unet({ numResBlocks: 0 }), /config\.unet\.numResBlocks: too small/);
  });

  it('refuses out-of-range training settings, and names a missing one', () => {
    expectRefused(refusalAfter((h) => (h.config.batchSize = 0)), /config\.batchSize: too small/);
    expectRefused(refusalAfter((h) => (h.config.microBatchSize = 1e9)), /config\.microBatchSize: too big/);
    expectRefused(refusalAfter((h) => (h.config.alpha = 2)), /config\.alpha: too big/);
    expectRefused(refusalAfter((h) => (h.config.validateEvery = 0)), /config\.validateEvery: too small/);
    expectRefused(refusalAfter((h) => (h.config.cosineOffset = -1)), /config\.cosineOffset: too small/);
    expectRefused(refusalAfter((h) => ((h.config.adam as Record<string, unknown>).learningRate = null)), /config\.adam\.learningRate: invalid input: expected number, received null/);
    expectRefused(refusalAfter((h) => ((h.config.simplex as Record<string, unknown>).octaves = 1000)), /config\.simplex\.octaves: too big/);
    expectRefused(refusalAfter((h) => ((h.config.air as Record<string, unknown>).mode = 'always')), /config\.air\.mode: invalid option/);
    expectRefused(refusalAfter((h) => delete h.config.seed), /config\.seed: invalid input: expected number, received undefined \(missing\)/);
    expectRefused(refusalAfter((h) => (h.config = null as never)), /header field config: invalid input: expected object, received null \(found null\)/);
  });
});

describe('checkpoint training state', () => {
  it.each([
    ['a NaN random state', (t: Record<string, unknown>) => (t.rng = { alea: [null, 0.5, 0.5, 3], spareNormal: null }), /training\.rng\.alea\[0\]: invalid input/],
    ['a random state out of range', (t: Record<string, unknown>) => (t.rng = { alea: [0.1, 2, 0.5, 3], spareNormal: null }), /training\.rng\.alea\[1\]: too big/],
    ['a sampler order that is not a permutation', (t: Record<string, unknown>) => (t.sampler = { order: [0, 0, 1], position: 0 }), /training\.sampler\.order\[1\]: is not part of a permutation of 0 \.\. 2/],
    ['a sampler position past its order', (t: Record<string, unknown>) => (t.sampler = { order: [0, 1], position: 9 }), /training\.sampler\.position: is past the end/],
    ['history running backwards', (t: Record<string, unknown>) => (t.history = [{ step: 2, loss: 1, valLoss: null }, { step: 1, loss: 1, valLoss: null }]), /training\.history\[1\]\.step: is not after/],
    ['history past the last step', (t: Record<string, unknown>) => (t.history = [{ step: 9, loss: 1, valLoss: null }]), /training\.history\[0\]\.step: .*past the last step 3/],
    ['history that is not a list', (t: Record<string, unknown>) => (t.history = 'abc'), /training\.history: invalid input: expected array/],
    ['a best step without a best loss', (t: Record<string, unknown>) => (t.bestValLoss = null), /training\.bestStep: must be given exactly when bestValLoss is/],
    ['a negative Adam step', (t: Record<string, unknown>) => (t.adamStep = -1), /training\.adamStep: too small/],
    ['a fractional step', (t: Record<string, unknown>) => (t.step = 2.5), /training\.step: invalid input: expected int/],
  ])('refuses %s', (_what, edit, message) => {
    expectRefused(refusalAfter((h) => edit(h.training)), message);
  });
});

describe('checkpoint tensor table', () => {
  const first = /tensors\[0\]\.shape(\[0\])? of tensor "model\/time_embed\.0\.weight": /;

  it.each([[[-1, 8]], [[0.5]], ['abc'], [[0, 8]]])('refuses the shape %j', (shape) => {
    expectRefused(refusalAfter((h) => (h.tensors[0].shape = shape)), first);
  });

  it('refuses a null entry, a non-list table, an unknown dtype and an unaligned offset', () => {
    expectRefused(refusalAfter((h) => h.tensors.unshift(null as never)), /header field tensors\[0\]: invalid input: expected object, received null/);
    expectRefused(refusalAfter((h) => (h.tensors = 'abc' as never)), /header field tensors: invalid input: expected array/);
    expectRefused(refusalAfter((h) => (h.tensors[1].dtype = 'float64')), /tensors\[1\]\.dtype of tensor "model\/time_embed\.0\.bias": invalid input: expected "float32"/);
    expectRefused(refusalAfter((h) => (h.tensors[1].offset = (h.tensors[1].offset as number) + 2)), /tensors\[1\]\.offset .*: invalid number: must be a multiple of 4/);
  });

  it('refuses a negative offset (read as zeros before) and offsets out of bounds or overlapping', () => {
    expectRefused(refusalAfter((h) => (h.tensors[3].offset = -4)), /tensors\[3\]\.offset of tensor "model\/time_embed\.2\.bias": too small/);
    expectRefused(refusalAfter((h) => (h.tensors[3].offset = 4e9)), /tensor "model\/time_embed\.2\.bias" runs past the end of the file/, 'truncated');
    expectRefused(refusalAfter((h) => (h.tensors[3].offset = 0)), /tensor "model\/time_embed\.0\.weight" \(offset \d+\) overlaps tensor "model\/time_embed\.2\.bias"|tensor "model\/time_embed\.2\.bias" \(offset 0\) overlaps/);
    expectRefused(refusalAfter((h) => (h.tensors[1].name = h.tensors[0].name)), /tensor "model\/time_embed\.0\.weight" is listed twice/);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses a weight of %s', (value) => {
    const error = refusal(withTensorValue(smallCheckpointBytes(), 'model/out.2.weight', 5, value));
    expectRefused(error, new RegExp(`tensor "model/out\\.2\\.weight" holds ${String(value)} at index 5`), 'non-finite');
  });
});

describe('checkpoint tensors against the U-Net', () => {
  it('refuses a missing weight, a wrong shape and a tensor the U-Net does not have, naming the tensor', () => {
    expectRefused(refusalAfter((h) => (h.tensors = h.tensors.filter((t) => t.name !== 'adam.m/out.2.bias'))), /tensor "adam\.m\/out\.2\.bias" is missing \(its U-Net settings need it\)/);
    expectRefused(refusalAfter((h) => (h.tensors.find((t) => t.name === 'model/out.2.bias')!.shape = [1, 1])), /tensor "model\/out\.2\.bias" has shape \[1, 1\] where its U-Net settings need \[1\]/);
    const extra = smallCheckpoint(false);
    extra.tensors.set('current/out.2.bias', { shape: [1], values: Float32Array.of(0) });
    expectRefused(refusal(serializeCheckpoint(extra)), /tensor "current\/out\.2\.bias" is not part of its U-Net \(a weights-only checkpoint\)/);
  });

  it('refuses negative Adam second moments (they would turn resumed weights into NaN)', () => {
    expectRefused(refusal(withTensorValue(smallCheckpointBytes(), 'adam.v/out.0.weight', 0, -1)), /tensor "adam\.v\/out\.0\.weight" holds negative second moments/);
  });
});
