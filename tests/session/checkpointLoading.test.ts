// Checkpoints becoming a model in the worker: damaged ones are refused naming the file (and tensor), resume checks the training data against the saved run.
import { beforeAll, describe, expect, it } from 'vitest';
import { FqlabError } from '../../src/core/errors.ts';
import { unetParameterCount } from '../../src/engine/index.ts';
import { TrainedModel } from '../../src/session/trainedModel.ts';
import { trainModel, TrainingRun, type TrainConfig } from '../../src/session/trainingRun.ts';
import { syntheticCase } from '../analysis/syntheticCases.ts';
import { useWasm } from '../engine/backendSetup.ts';
import { headerOf, SMALL_UNET, smallCheckpointBytes, withHeader, withTensorValue } from '../engine/checkpointSamples.ts';

const FILE = 'C:\\runs\\flair.fqlab';

beforeAll(async () => {
  await useWasm();
});

function loadError(bytes: Uint8Array): FqlabError {
  try {
    TrainedModel.fromCheckpoint(bytes, FILE).dispose();
  } catch (error) {
    if (error instanceof FqlabError) return error;
    throw error;
  }
  throw new Error('the checkpoint was loaded');
}

describe('TrainedModel.fromCheckpoint', () => {
  it('loads a sound checkpoint and keeps its file name', () => {
    const model = TrainedModel.fromCheckpoint(smallCheckpointBytes(), FILE);
    expect(model.fileName).toBe(FILE);
    expect(model.info).toMatchObject({ parameters: unetParameterCount(SMALL_UNET), step: 3, bestValLoss: 0.25 });
    model.dispose();
  });

  it('refuses diffusionSteps 0 and NaN weights, which used to load and fail later or score zeros', () => {
    const zeroSteps = withHeader(smallCheckpointBytes(), (h) => ({ ...h, config: { ...(h.config as object), diffusionSteps: 0 } }));
    expect(loadError(zeroSteps)).toMatchObject({ fileName: FILE, code: 'bad-header', message: expect.stringMatching(/config\.diffusionSteps: too small/) });
    const nan = withTensorValue(smallCheckpointBytes(), 'model/input_blocks.0.0.weight', 0, Number.NaN);
    expect(loadError(nan)).toMatchObject({ fileName: FILE, code: 'non-finite', message: expect.stringMatching(/"model\/input_blocks\.0\.0\.weight" holds NaN/) });
  });

  it('refuses weights that do not fit its U-Net settings, naming the tensor', () => {
    const wider = withHeader(smallCheckpointBytes(), (h) => ({ ...h, config: { ...(h.config as object), unet: { ...SMALL_UNET, modelChannels: 4, groups: 4 } } }));
    expect(loadError(wider).message).toMatch(/^C:\\runs\\flair\.fqlab: tensor "model\/time_embed\.0\.weight" has shape \[2, 8\] where its U-Net settings need \[4, 16\]/);
  });
});

describe('resuming a checkpoint', () => {
  const config: TrainConfig = { preset: 'tiny', loss: 'fq', alpha: 0.84, air: 'off', noise: 'simplex', patched: true, steps: 5, batchSize: 2, seed: 1, evaluateEvery: 0, resume: true };
  const cases = [syntheticCase('h1', 'healthy-train', 31, 0)];
  const resume = (bytes: Uint8Array) => trainModel(cases, config, new TrainingRun(), () => undefined, TrainedModel.fromCheckpoint(bytes, FILE));

  it('refuses other training data than the run was saved with, naming the checkpoint', async () => {
    await expect(resume(smallCheckpointBytes())).rejects.toMatchObject({
      fileName: FILE,
      message: `${FILE}: was trained on 3 healthy volumes, not the 1 given; resume with the same training data.`,
    });
    const oneVolume = withHeader(smallCheckpointBytes(), (h) => ({ ...h, training: { ...(headerOf(smallCheckpointBytes()).training as object), sampler: { order: [0], position: 0 } } }));
    await expect(resume(oneVolume)).rejects.toMatchObject({ fileName: FILE, message: expect.stringMatching(/was trained on a 16 x 16 x 4 grid/) });
  });
});
