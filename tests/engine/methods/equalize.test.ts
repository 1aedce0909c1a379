// Thresh's histogram equalisation against numpy's equalize_hist recipe (scripts/fixtures/equalize.py), and thresh's l1 map being that image.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METHODS } from '../../../src/engine/index.ts';
import { equalizeHistogram } from '../../../src/engine/methods/thresh/equalize.ts';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/methods/equalize.json', import.meta.url), 'utf8')) as Record<string, { input: number[]; output: number[] }>;

describe('thresh histogram equalisation', () => {
  for (const [name, { input, output }] of Object.entries(fixture)) {
    it(`matches the numpy reference on "${name}"`, () => {
      const ours = equalizeHistogram(Float32Array.from(input));
      const worst = Math.max(...output.map((v, i) => Math.abs(v - ours[i])));
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('makes the l1 residual |x - x_hat| the intensity, or its equalised version', async () => {
    const image = Float32Array.from(fixture.random.input);
    const dims: [number, number, number] = [image.length, 1, 1];
    for (const equalize of [false, true]) {
      const config = METHODS.thresh.trainingConfig('paper', { baseline: { kind: 'thresh', equalize } });
      const network = METHODS.thresh.build(config, new Map());
      const recon = await network.reconstruct(image, { dims, noiseLevel: 1, seed: 0 });
      const expected = equalize ? equalizeHistogram(image) : image;
      expect(Math.max(...Array.from(image, (x, i) => Math.abs(Math.abs(x - recon[i]) - expected[i])))).toBeLessThan(1e-6);
    }
  });
});
