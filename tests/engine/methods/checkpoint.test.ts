// Checkpoints record their method: old ones read as pDDPM, and a method's settings must be its own (refused naming the field).
import { describe, expect, it } from 'vitest';
import { FqlabError } from '../../../src/core/errors.ts';
import { checkCheckpointTensors, deserializeCheckpoint, METHODS, serializeCheckpoint } from '../../../src/engine/index.ts';
import { headerOf, smallCheckpointBytes, withHeader } from '../checkpointSamples.ts';

const FILE = 'runs/model.fqlab';

function refusal(bytes: Uint8Array): string {
  try {
    checkCheckpointTensors(deserializeCheckpoint(bytes, FILE), FILE);
  } catch (error) {
    if (error instanceof FqlabError && error.fileName === FILE) return error.message;
    throw error;
  }
  throw new Error('the checkpoint was accepted');
}

/** An untrained AE checkpoint on a 32 x 32 grid with its (fresh) weights. */
function aeBytes(): Uint8Array {
  const config = METHODS.ae.trainingConfig('tiny', { dims: [32, 32, 4] });
  const tensors = new Map(METHODS.ae.paramSpecs(config).map((s) => [`model/${s.name}`, { shape: s.shape, values: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) }]));
  return serializeCheckpoint({ config, training: null, tensors });
}

describe('checkpoints and methods', () => {
  it('reads a checkpoint without a method as pDDPM, and re-saves it stably', () => {
    const old = withHeader(smallCheckpointBytes(), (h) => {
      const config = { ...(h.config as Record<string, unknown>) };
      delete config.method;
      delete config.baseline;
      return { ...h, config };
    });
    expect(headerOf(old).config).not.toHaveProperty('method');
    const contents = deserializeCheckpoint(old, FILE);
    expect(contents.config).toMatchObject({ method: 'pddpm', baseline: null });
    const resaved = serializeCheckpoint(contents);
    expect(serializeCheckpoint(deserializeCheckpoint(resaved, FILE))).toEqual(resaved);
  });

  it('loads a baseline checkpoint and refuses settings of another method or a stray U-Net', () => {
    const contents = deserializeCheckpoint(aeBytes(), FILE);
    checkCheckpointTensors(contents, FILE);
    expect(contents.config).toMatchObject({ method: 'ae', unet: null, baseline: { kind: 'baur', variant: 'dense' } });
    const edit = (change: (config: Record<string, unknown>) => void) =>
      withHeader(aeBytes(), (h) => {
        const config = { ...(h.config as Record<string, unknown>) };
        change(config);
        return { ...h, config };
      });
    expect(refusal(edit((c) => (c.method = 'dae')))).toMatch(/config\.baseline: method dae needs dae settings/);
    expect(refusal(edit((c) => (c.method = 'pddpm')))).toMatch(/config\.unet: method pddpm needs its U-Net settings/);
    expect(refusal(edit((c) => (c.dims = [36, 36, 4])))).toMatch(/config\.dims: the slice side 36 is not a multiple of 8, as this AE network/);
    expect(refusal(edit((c) => ((c.baseline as { zDim: number }).zDim = 8)))).toMatch(/tensor "model\/bottleneck\.z\.weight" has shape \[64, 16\] where its AE network settings need \[64, 8\]/);
  });
});
