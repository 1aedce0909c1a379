// mDDPM's masking: the frequency filtering against numpy's fft2 (scripts/fixtures/mddpm.py), the masked input's invariants, and a few training steps.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { METHODS, Rng, Trainer } from '../../../src/engine/index.ts';
import { lowPass, maskedInput } from '../../../src/engine/methods/mddpm/masking.ts';
import { useWasm } from '../backendSetup.ts';
import { syntheticVolume } from '../synthetic.ts';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/methods/mddpm.json', import.meta.url), 'utf8')) as {
  n: number;
  slice: number[];
  cases: Record<string, { low: number[]; high: number[] }>;
};

describe('mDDPM masking', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('low- and high-passes a slice as numpy fftshift(fft2) with the centred square does', () => {
    const slice = Float32Array.from(fixture.slice);
    for (const [v, { low, high }] of Object.entries(fixture.cases)) {
      const ours = lowPass(slice, fixture.n, Number(v));
      expect(Math.max(...low.map((x, i) => Math.abs(x - ours[i])))).toBeLessThan(1e-6);
      expect(Math.max(...high.map((x, i) => Math.abs(x - (slice[i] - ours[i]))))).toBeLessThan(1e-6);
    }
  });

  it('keeps the slice inside the brain except in the pasted patches, and zero outside it', () => {
    const n = 32;
    const { image, brainMask } = syntheticVolume(2, n, n, 1);
    const mask = Float32Array.from(brainMask);
    const rng = new Rng(1);
    let changed = 0;
    for (let draw = 0; draw < 20; draw++) {
      const input = maskedInput(image, mask, n, rng);
      for (let p = 0; p < input.length; p++) {
        if (mask[p] === 0) expect(input[p]).toBe(0);
        else if (input[p] !== image[p]) changed++;
      }
    }
    expect(changed).toBeGreaterThan(0);
  });

  it('trains 3 steps with masked inputs, reproducibly per seed', async () => {
    const dims: [number, number, number] = [32, 32, 4];
    const data = { train: [0, 1].map((i) => syntheticVolume(i, ...dims)), validation: [] };
    const curve = async (): Promise<number[]> => {
      const t = Trainer.create(METHODS.mddpm.trainingConfig('tiny', { dims, batchSize: 4, validationSlices: 0, seed: 2 }), data);
      await t.run(3);
      t.dispose();
      return t.history.map((h) => h.loss);
    };
    const losses = await curve();
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(await curve()).toEqual(losses);
  });
});
