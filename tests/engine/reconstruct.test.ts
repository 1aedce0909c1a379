// reconstructVolume: stitching of the per-box predictions, determinism per seed, range, progress and no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  boxMask,
  cosineSchedule,
  fromModelRange,
  noisedInput,
  noiseField,
  patchBoxes,
  reconstructVolume,
  Rng,
  toModelRange,
  UNet,
  type UNetConfig,
} from '../../src/engine/index.ts';
import { useWasm } from './backendSetup.ts';
import { readF32, readJson } from './fixtures.ts';
import { syntheticVolume } from './synthetic.ts';

const DIMS: [number, number, number] = [16, 16, 5];

/** The numpy fixture's random-weight model: non-trivial outputs that depend on the input and t. */
function fixtureModel(): UNet {
  const fixture = readJson<{ config: UNetConfig; weights: Array<{ name: string; shape: number[]; offset: number }> }>('unet.json');
  const all = readF32('unet_weights.f32');
  const weights = new Map<string, Float32Array>();
  for (const w of fixture.weights) weights.set(w.name, all.subarray(w.offset, w.offset + w.shape.reduce((a, b) => a * b, 1)));
  return UNet.fromWeights(fixture.config, weights);
}

describe('reconstructVolume', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('pastes each box of the one-pass x0 prediction from its own noised input', async () => {
    const model = fixtureModel();
    const volume = syntheticVolume(4, ...DIMS).image;
    const options = { noiseLevel: 500, noiseType: 'simplex' as const, seed: 9, sliceBatch: 2, dims: DIMS };
    const recon = await reconstructVolume(model, volume, options);
    // By hand for slice 3: t = 499, the volume's single noise field, box by box.
    const [nx, ny] = DIMS;
    const slice = volume.subarray(3 * nx * ny, 4 * nx * ny);
    const field = noiseField('simplex', new Rng('reconstruct:9'), 499, ny, nx);
    const expected = tf.tidy(() => {
      const x0 = toModelRange(tf.tensor4d(slice, [1, ny, nx, 1])) as tf.Tensor4D;
      let sum: tf.Tensor = tf.zerosLike(x0);
      for (const box of patchBoxes('patched', nx, nx / 2)) {
        const mask = tf.tensor4d(boxMask(box, nx), [1, ny, nx, 1]);
        const prediction = model.apply(noisedInput(x0, tf.tensor4d(field, [1, ny, nx, 1]), [499], mask, cosineSchedule()), [499]);
        sum = tf.add(sum, tf.mul(mask, fromModelRange(prediction)));
      }
      return sum.dataSync();
    });
    const got = recon.subarray(3 * nx * ny, 4 * nx * ny);
    for (let p = 0; p < got.length; p++) expect(got[p]).toBeCloseTo(expected[p], 5);
    expect(Math.min(...recon)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...recon)).toBeLessThanOrEqual(1);
    model.dispose();
  });

  it('is deterministic for a seed, differs across seeds and noise types, reports progress and leaks nothing', async () => {
    const model = fixtureModel();
    const volume = syntheticVolume(5, ...DIMS).image;
    const run = (seed: number, noiseType: 'simplex' | 'gaussian', progress?: (done: number, total: number) => void): Promise<Float32Array> =>
      reconstructVolume(model, volume, { noiseLevel: 750, noiseType, seed, sliceBatch: 3, dims: DIMS, onProgress: progress });
    await run(1, 'simplex');
    const before = tf.memory().numTensors;
    const calls: Array<[number, number]> = [];
    const a = await run(1, 'simplex', (done, total) => calls.push([done, total]));
    expect(tf.memory().numTensors).toBe(before);
    expect(calls).toEqual([[3, 5], [5, 5]]);
    expect(Array.from(await run(1, 'simplex'))).toEqual(Array.from(a));
    expect(Array.from(await run(2, 'simplex'))).not.toEqual(Array.from(a));
    const g = await run(1, 'gaussian');
    expect(Array.from(await run(1, 'gaussian'))).toEqual(Array.from(g));
    expect(Array.from(g)).not.toEqual(Array.from(a));
    expect(a.length).toBe(volume.length);
    model.dispose();
  });

  it('plain DDPM mode noises the whole slice in one pass; the batch size does not change the result', async () => {
    const model = fixtureModel();
    const volume = syntheticVolume(6, ...DIMS).image;
    const whole = await reconstructVolume(model, volume, { noiseLevel: 300, noiseType: 'gaussian', seed: 2, patching: 'whole', sliceBatch: 5, dims: DIMS });
    const wholeOneByOne = await reconstructVolume(model, volume, { noiseLevel: 300, noiseType: 'gaussian', seed: 2, patching: 'whole', sliceBatch: 1, dims: DIMS });
    for (let p = 0; p < whole.length; p++) expect(whole[p]).toBeCloseTo(wholeOneByOne[p], 5);
    const patched = await reconstructVolume(model, volume, { noiseLevel: 300, noiseType: 'gaussian', seed: 2, dims: DIMS });
    expect(Array.from(patched)).not.toEqual(Array.from(whole));
    await expect(reconstructVolume(model, volume, { noiseLevel: 0, noiseType: 'gaussian', seed: 2, dims: DIMS })).rejects.toThrow(/noise level/);
    await expect(reconstructVolume(model, volume.subarray(1), { noiseLevel: 10, noiseType: 'gaussian', seed: 2, dims: DIMS })).rejects.toThrow(/voxels/);
    model.dispose();
  });
});
