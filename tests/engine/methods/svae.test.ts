// SVAE (surrogate) and the UPD VAE option: slices linked across the volume, and checkpoints that record and check their settings.
import { beforeAll, describe, expect, it } from 'vitest';
import { FqlabError } from '../../../src/core/errors.ts';
import { checkCheckpointTensors, createNetwork, deserializeCheckpoint, METHODS, serializeCheckpoint, type MethodName, type TrainingConfig } from '../../../src/engine/index.ts';
import { useWasm } from '../backendSetup.ts';
import { withHeader } from '../checkpointSamples.ts';
import { syntheticVolume } from '../synthetic.ts';

const DIMS: [number, number, number] = [32, 32, 4];
const FILE = 'runs/model.fqlab';
const SLICE = DIMS[0] * DIMS[1];

/** An inference checkpoint of the config with zero weights. */
function checkpointBytes(config: TrainingConfig): Uint8Array {
  const tensors = new Map(METHODS[config.method].paramSpecs(config).map((s) => [`model/${s.name}`, { shape: s.shape, values: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) }]));
  return serializeCheckpoint({ config, training: null, tensors });
}

function refusal(bytes: Uint8Array): string {
  try {
    checkCheckpointTensors(deserializeCheckpoint(bytes, FILE), FILE);
  } catch (error) {
    if (error instanceof FqlabError && error.fileName === FILE) return error.message;
    throw error;
  }
  throw new Error('the checkpoint was accepted');
}

describe('svae and the UPD VAE', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('svae reconstructs a slice from the whole volume; the slice-wise vae does not look at other slices', async () => {
    const volume = syntheticVolume(4, ...DIMS).image;
    const changed = Float32Array.from(volume);
    for (let p = 0; p < SLICE; p++) changed[p] *= 0.5;
    const lastSlice = async (name: MethodName, input: Float32Array): Promise<number[]> => {
      const network = createNetwork(METHODS[name].trainingConfig('tiny', { dims: DIMS }), 3);
      const recon = await network.reconstruct(input, { dims: DIMS, noiseLevel: 500, seed: 0 });
      network.dispose();
      return Array.from(recon.subarray(3 * SLICE));
    };
    expect(await lastSlice('svae', changed)).not.toEqual(await lastSlice('svae', volume));
    expect(await lastSlice('vae', changed)).toEqual(await lastSlice('vae', volume));
  });

  it('checkpoints record the vae variant and svae settings, and refuse them on the wrong method or with unsplittable heads', () => {
    const upd = deserializeCheckpoint(checkpointBytes(METHODS.vae.trainingConfig('tiny', { dims: DIMS }, { vaeVariant: 'upd' })), FILE);
    checkCheckpointTensors(upd, FILE);
    expect(upd.config).toMatchObject({ method: 'vae', baseline: { kind: 'upd-vae', zDim: 64 } });
    const asAe = withHeader(checkpointBytes(METHODS.vae.trainingConfig('tiny', { dims: DIMS }, { vaeVariant: 'upd' })), (h) => ({ ...h, config: { ...(h.config as object), method: 'ae' } }));
    expect(refusal(asAe)).toMatch(/config\.baseline: method ae needs baur settings/);
    const svae = deserializeCheckpoint(checkpointBytes(METHODS.svae.trainingConfig('tiny', { dims: DIMS })), FILE);
    checkCheckpointTensors(svae, FILE);
    expect(svae.config).toMatchObject({ method: 'svae', baseline: { kind: 'svae', heads: 2, slice: { variant: 'variational' } } });
    const oddHeads = withHeader(checkpointBytes(METHODS.svae.trainingConfig('tiny', { dims: DIMS })), (h) => {
      const config = h.config as { baseline: { heads: number } };
      return { ...h, config: { ...config, baseline: { ...config.baseline, heads: 3 } } };
    });
    expect(refusal(oddHeads)).toMatch(/latent width splits into its attention heads/);
  });
  it('from preset small up an svae pass holds one volume (small\'s 4 volumes in one pass ran past the WASM heap); tiny passes the batch', () => {
    const svae = METHODS.svae;
    expect(svae.trainingConfig('small').microBatchSize).toBe(1);
    expect(svae.trainingConfig('paper', { batchSize: 3 }).microBatchSize).toBe(1);
    expect(svae.trainingConfig('tiny', { batchSize: 6 }).microBatchSize).toBe(6);
    expect(svae.trainingConfig('small', { batchSize: 2, microBatchSize: 2 }).microBatchSize).toBe(2);
  });
});
