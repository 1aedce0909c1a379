// Data-parallel U-Net forwards on Node worker threads: the same bits as one engine, replicas kept per weights version, errors and closing.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataParallelApply, forwardShareSizes, reconstructVolume, Rng, UNet, unetPreset, type ForwardShare } from '../../src/engine/index.ts';
import { startEngineWorkers } from '../../src/engine/nodeEngineWorkers.ts';
import { useWasm } from './backendSetup.ts';
import { repoRoot, RESULT_PREFIX, runNode } from './nodeChild.ts';
import { syntheticVolume } from './synthetic.ts';

const SIZE = 96;
const BATCH = 3;
const STEPS = [10, 499, 900];

/** The tiny U-Net with every weight drawn at random (UNet.create zeroes the output conv, which would make every output 0). */
function randomUNet(seed: number): UNet {
  const config = unetPreset('tiny');
  const rng = new Rng(`parallel-forward-test:${seed}`);
  const probe = UNet.create(config, 0);
  const weights = new Map(probe.specs.map((s) => [s.name, Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => (2 * rng.next() - 1) * 0.2)]));
  probe.dispose();
  return UNet.fromWeights(config, weights);
}

function input(seed: number): tf.Tensor4D {
  return tf.randomUniform([BATCH, SIZE, SIZE, 1], -1, 1, 'float32', seed) as tf.Tensor4D;
}

async function values(tensor: tf.Tensor): Promise<Float32Array> {
  const data = (await tensor.data()) as Float32Array;
  tensor.dispose();
  return data;
}

/** The last slice of a batch as one helper's share. */
async function lastSlice(x: tf.Tensor4D): Promise<ForwardShare> {
  const all = (await x.data()) as Float32Array;
  return { x: all.slice((BATCH - 1) * SIZE * SIZE), t: Int32Array.of(STEPS[BATCH - 1]), size: 1, height: SIZE, width: SIZE };
}

describe('dataParallelApply on a worker thread', () => {
  const helpers = startEngineWorkers(1);
  beforeAll(async () => {
    await useWasm();
  });
  afterAll(async () => {
    await helpers.close();
  });

  it('splits a batch of 3 as 2 here + 1 on the helper and gives the one-engine forward to the bit', async () => {
    expect(forwardShareSizes(BATCH, 2)).toEqual([2, 1]);
    const unet = randomUNet(1);
    const x = input(1);
    const alone = await values(unet.apply(x, STEPS));
    const shared = await values(await dataParallelApply(unet, { helpers, version: 'one' }, x, STEPS));
    expect(Math.max(...alone.map(Math.abs))).toBeGreaterThan(0.1);
    expect(shared).toEqual(alone);
    x.dispose();
    unet.dispose();
  });

  it('keeps its replica while the version stays, and takes the new weights when it changes', async () => {
    const first = randomUNet(2);
    const second = randomUNet(3);
    const x = input(2);
    const share = await lastSlice(x);
    const expected = async (unet: UNet): Promise<Float32Array> => (await values(unet.apply(x, STEPS))).slice((BATCH - 1) * SIZE * SIZE);
    const [firstOut, secondOut] = [await expected(first), await expected(second)];
    expect(secondOut).not.toEqual(firstOut);

    expect((await helpers.forward(first, 'v1', [share]))[0]).toEqual(firstOut);
    // The same version with other weights here: the helper answers from its replica (the weights were not sent again).
    first.assignWeights(await second.readWeights());
    expect((await helpers.forward(first, 'v1', [share]))[0]).toEqual(firstOut);
    // A new version: the helper takes the new weights.
    expect((await helpers.forward(first, 'v2', [share]))[0]).toEqual(secondOut);
    x.dispose();
    first.dispose();
    second.dispose();
  });

  it("passes the worker's error to the caller, and the worker serves the next forward", async () => {
    const unet = randomUNet(4);
    const x = input(3);
    const share = await lastSlice(x);
    const torn = { ...share, x: share.x.subarray(1) };
    await expect(helpers.forward(unet, 'errors', [torn])).rejects.toThrow(/engine worker \(forward\):.*tensor should have 9216 values but has 9215/);
    expect((await helpers.forward(unet, 'errors', [share]))[0]).toEqual((await values(unet.apply(x, STEPS))).slice((BATCH - 1) * SIZE * SIZE));
    x.dispose();
    unet.dispose();
  });

  it('reconstructs a volume to the bit as one engine does', async () => {
    const unet = randomUNet(5);
    const dims: [number, number, number] = [32, 32, 5];
    const volume = syntheticVolume(1, ...dims).image;
    const options = { noiseLevel: 500, noiseType: 'simplex' as const, seed: 2, sliceBatch: 3, dims };
    const tensorsBefore = tf.memory().numTensors;
    const alone = await reconstructVolume(unet, volume, options);
    const shared = await reconstructVolume(unet, volume, { ...options, sharedForwards: { helpers, version: 'reconstruct' } });
    expect(shared).toEqual(alone);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    unet.dispose();
  });
});

describe('forward helpers closing', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('refuses forwards once closed', async () => {
    const helpers = startEngineWorkers(1);
    const unet = randomUNet(6);
    const x = input(4);
    const share = await lastSlice(x);
    await helpers.close();
    await expect(helpers.forward(unet, 'closed', [share])).rejects.toThrow(/engine worker was closed/);
    x.dispose();
    unet.dispose();
  });

  it('lets a process end with its helpers idle and never closed', async () => {
    const script = `
const root = new URL(${JSON.stringify(repoRoot.href)});
const engine = await import(new URL('src/engine/index.ts', root).href);
const { startEngineWorkers } = await import(new URL('src/engine/nodeEngineWorkers.ts', root).href);
await engine.initBackend('wasm');
const helpers = startEngineWorkers(1);
const unet = engine.UNet.create(engine.unetPreset('tiny'), 0);
const tf = await import('@tensorflow/tfjs');
const x = tf.zeros([2, 32, 32, 1]);
const y = await engine.dataParallelApply(unet, { helpers, version: 'v' }, x, [1, 2]);
process.stdout.write(${JSON.stringify(RESULT_PREFIX)} + JSON.stringify(y.shape) + '\\n');
`;
    const run = await runNode<number[]>(script, {}, 60_000);
    expect(run.result).toEqual([2, 32, 32, 1]);
  });
});
