// The checkpoint file format: layout, round trip and clear errors for files that are not fqlab checkpoints.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FqlabError } from '../../src/core/errors.ts';
import {
  CHECKPOINT_MAGIC,
  checkpointWeights,
  defaultTrainingConfig,
  deserializeCheckpoint,
  Rng,
  serializeCheckpoint,
  weightsOnlyCheckpoint,
  type CheckpointContents,
} from '../../src/engine/index.ts';

function sample(): CheckpointContents {
  return {
    config: defaultTrainingConfig('tiny', {
      seed: 42,
      air: { mode: 'stats', enabled: true, stats: { muNormal: 0.61, muAnomalous: null, air: null, suggested: true }, modalities: ['T1'] },
    }),
    training: null,
    tensors: new Map([
      ['model/a.weight', { shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 1e-30, -0, 7]) }],
      ['model/b.bias', { shape: [3], values: Float32Array.from([0.1, 0.2, 0.3]) }],
      ['adam.m/a.weight', { shape: [2, 3], values: new Float32Array(6).fill(0.25) }],
    ]),
  };
}

describe('checkpoint format', () => {
  it('starts with the magic and a little-endian uint32 JSON header length, data 4-byte aligned', () => {
    const bytes = serializeCheckpoint(sample());
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe(CHECKPOINT_MAGIC);
    const headerLength = new DataView(bytes.buffer).getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
    expect(header.format).toBe('fqlab-checkpoint');
    expect(header.version).toBe(1);
    expect(header.config.air.stats.muNormal).toBe(0.61);
    expect(header.tensors.map((t: { name: string }) => t.name)).toEqual(['model/a.weight', 'model/b.bias', 'adam.m/a.weight']);
    const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
    expect(bytes.length).toBe(dataStart + 4 * (6 + 3 + 6));
    expect(new DataView(bytes.buffer).getFloat32(dataStart + header.tensors[1].offset, true)).toBeCloseTo(0.1, 7);
  });

  it('round-trips config, state and tensors bit for bit', () => {
    const original = sample();
    const back = deserializeCheckpoint(serializeCheckpoint(original), 'sample.fqlab');
    expect(back.config).toEqual(original.config);
    expect(back.training).toBeNull();
    for (const [name, t] of original.tensors) {
      expect(back.tensors.get(name)?.shape).toEqual(t.shape);
      expect(Array.from(back.tensors.get(name)?.values ?? [])).toEqual(Array.from(t.values));
    }
    expect([...checkpointWeights(back, 'model').keys()]).toEqual(['a.weight', 'b.bias']);
  });

  it('a weights-only copy keeps the config and the inference weights, and nothing else', () => {
    const full = sample();
    full.training = { step: 7, bestValLoss: null, bestStep: null, history: [], rng: new Rng(1).state(), sampler: { order: [], position: 0 }, adamStep: 7 };
    const slim = deserializeCheckpoint(weightsOnlyCheckpoint(serializeCheckpoint(full), 'full.fqlab'), 'slim.fqlab');
    expect(slim.config).toEqual(full.config);
    expect(slim.training).toBeNull();
    expect([...slim.tensors.keys()]).toEqual(['model/a.weight', 'model/b.bias']);
    expect(Array.from(slim.tensors.get('model/a.weight')?.values ?? [])).toEqual(Array.from(full.tensors.get('model/a.weight')!.values));
  });

  it('rejects other files, truncation and unknown versions with a message naming the file', () => {
    const bytes = serializeCheckpoint(sample());
    expect(() => deserializeCheckpoint(new TextEncoder().encode('not a checkpoint at all'), 'x.bin')).toThrow(/x\.bin: not an fqlab checkpoint/);
    expect(() => deserializeCheckpoint(bytes.subarray(0, bytes.length - 4), 'cut.fqlab')).toThrow(FqlabError);
    expect(() => deserializeCheckpoint(bytes.subarray(0, 6), 'cut.fqlab')).toThrow(/too short/);
    const json = JSON.stringify({ format: 'fqlab-checkpoint', version: 99, config: {}, training: null, tensors: [] });
    const header = new TextEncoder().encode(json);
    const future = new Uint8Array(12 + header.length);
    future.set(new TextEncoder().encode(CHECKPOINT_MAGIC));
    new DataView(future.buffer).setUint32(8, header.length, true);
    future.set(header, 12);
    expect(() => deserializeCheckpoint(future, 'new.fqlab')).toThrow(/version 99/);
  });
});

/** The checkpoint bytes with its JSON config edited, as an older fqlab would have written it. */
function withSavedConfig(bytes: Uint8Array, edit: (config: Record<string, unknown>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as { config: Record<string, unknown> };
  edit(header.config);
  const contents = deserializeCheckpoint(bytes, 'sample.fqlab');
  return serializeCheckpoint({ ...contents, config: header.config as unknown as CheckpointContents['config'] });
}

describe('checkpoints saved before the per-modality AIR rule', () => {
  it("load AIR mode 'auto' as 'stats', keep the recorded decision, and get no modalities and no smoothing", () => {
    const old = withSavedConfig(serializeCheckpoint(sample()), (config) => {
      const air = config.air as Record<string, unknown>;
      air.mode = 'auto';
      air.enabled = false; // recorded off although the statistics suggest on: the record wins
      delete air.modalities;
      delete config.smoothing;
    });
    const { config } = deserializeCheckpoint(old, 'old.fqlab');
    expect(config.air).toEqual({ mode: 'stats', enabled: false, stats: { muNormal: 0.61, muAnomalous: null, air: null, suggested: true }, modalities: [] });
    expect(config.smoothing).toBeNull();
  });

  it('keep a recorded smoothing', () => {
    const smoothed = sample();
    smoothed.config.smoothing = { timeStep: 0.125, iterations: 3 };
    expect(deserializeCheckpoint(serializeCheckpoint(smoothed), 'smoothed.fqlab').config.smoothing).toEqual({ timeStep: 0.125, iterations: 3 });
  });

  it.each(['pddpm', 'pddpm-iqa'])('the shipped demo checkpoint %s.fqlab loads with AIR on by the modality rule (T1), as recorded', (name) => {
    const bytes = readFileSync(new URL(`../../public/demo/models/${name}.fqlab`, import.meta.url));
    const air = deserializeCheckpoint(bytes, `${name}.fqlab`).config.air;
    expect(air).toMatchObject({ mode: 'modality', enabled: true, modalities: ['T1'] });
    expect(deserializeCheckpoint(bytes, `${name}.fqlab`).config.smoothing).toBeNull();
  });
});
