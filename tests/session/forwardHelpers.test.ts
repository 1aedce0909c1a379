// A session's forward helpers: reconstructions share their U-Net forwards with them (started once, told the model's id), other models never start them.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ForwardHelpers, ForwardShare, UNet } from '../../src/engine/index.ts';
import { Session } from '../../src/session/session.ts';
import type { TrainConfig } from '../../src/session/trainingRun.ts';
import { syntheticCase } from '../analysis/syntheticCases.ts';

const healthy = syntheticCase('h1', 'healthy-train', 21, 0);
const test = syntheticCase('t1', 'test', 23, 2);
const config: TrainConfig = { preset: 'tiny', loss: 'fq', alpha: 0.84, air: 'stats', noise: 'simplex', patched: true, steps: 1, batchSize: 2, seed: 1, evaluateEvery: 0 };

/** A helper engine in this thread: runs each share on the caller's U-Net and records the versions it was told. */
class RecordingHelpers implements ForwardHelpers {
  readonly count = 1;
  readonly versions: string[] = [];

  async forward(unet: UNet, version: string, shares: ForwardShare[]): Promise<Float32Array[]> {
    this.versions.push(version);
    return Promise.all(shares.map(async (s) => {
      const y = tf.tidy(() => unet.apply(tf.tensor4d(s.x, [s.size, s.height, s.width, 1]), s.t));
      const values = (await y.data()) as Float32Array;
      y.dispose();
      return values;
    }));
  }

  async close(): Promise<void> {}
}

async function sessionWith(helpers: RecordingHelpers | null, started: { count: number }): Promise<Session> {
  const session = new Session(helpers === null ? {} : { forwardHelpers: () => (started.count++, helpers) });
  await session.initBackend('wasm');
  session.pipeline.cases.put(healthy);
  session.pipeline.cases.put(test);
  return session;
}

describe('Session forward helpers', () => {
  it('share a pDDPM reconstruction (the same map), started once and told the model id as the weights version', async () => {
    const trainer = await sessionWith(null, { count: 0 });
    await trainer.train(config, () => undefined);
    const checkpoint = await trainer.saveCheckpoint();

    const reconstructionOf = async (session: Session, modelId: string, seed: number): Promise<Float32Array> => {
      await session.reconstruct({ modelId, caseIds: ['t1'], noiseLevel: 500, seed }, () => undefined);
      return session.pipeline.reconstructions.get({ modelId, caseId: 't1', noiseLevel: 500, seed })!.reconstruction;
    };
    const alone = await sessionWith(null, { count: 0 });
    const aloneId = (await alone.loadCheckpoint(checkpoint, 'run.fqlab')).modelId;
    const helpers = new RecordingHelpers();
    const started = { count: 0 };
    const shared = await sessionWith(helpers, started);
    const { modelId } = await shared.loadCheckpoint(checkpoint, 'run.fqlab');
    expect(started.count).toBe(0);
    expect(await reconstructionOf(shared, modelId, 1)).toEqual(await reconstructionOf(alone, aloneId, 1));
    await reconstructionOf(shared, modelId, 2);
    expect(started.count).toBe(1);
    expect(helpers.versions.length).toBeGreaterThan(0);
    expect(new Set(helpers.versions)).toEqual(new Set([modelId]));
  });

  it('are never started for a model without a U-Net (thresh)', async () => {
    const started = { count: 0 };
    const session = await sessionWith(new RecordingHelpers(), started);
    const { modelId } = await session.loadCheckpoint(await session.untrainedCheckpoint({ ...config, method: 'thresh', preset: 'paper' }), 'thresh.fqlab');
    await session.reconstruct({ modelId, caseIds: ['t1'], noiseLevel: 500, seed: 1 }, () => undefined);
    expect(started.count).toBe(0);
  });
});
