// DDPM's own U-Net (no scale-shift conditioning) against the numpy guided-diffusion reference of scripts/fixtures/engine.py.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UNet, unetParameterCount } from '../../../src/engine/index.ts';
import type { UNetFixture } from '../unetFixture.ts';
import { useWasm } from '../backendSetup.ts';
import { readF32, readJson } from '../fixtures.ts';

describe('DDPM U-Net forward', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('adds the timestep embedding after the first convolution, as use_scale_shift_norm=False does', () => {
    const fixture = readJson<UNetFixture>('unet_ddpm.json');
    expect(fixture.config.scaleShift).toBe(false);
    const all = readF32('unet_ddpm_weights.f32');
    const weights = new Map(fixture.weights.map((w) => [w.name, all.subarray(w.offset, w.offset + w.shape.reduce((a, b) => a * b, 1))]));
    expect(unetParameterCount(fixture.config)).toBe(fixture.parameterCount);
    const model = UNet.fromWeights(fixture.config, weights);
    const x = tf.tensor4d(readF32('unet_input.f32'), [fixture.batch, fixture.size, fixture.size, 1]);
    const y = model.apply(x, fixture.t);
    const got = y.dataSync();
    const want = readF32('unet_ddpm_output.f32');
    let maxErr = 0;
    for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    expect(maxErr).toBeLessThan(2e-5);
    tf.dispose([x, y]);
    model.dispose();
  });
});
