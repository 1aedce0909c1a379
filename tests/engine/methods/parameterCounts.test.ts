// Parameter counts of every method's paper preset (PyTorch's convention: trainable only, BatchNorm running statistics excluded) against BASELINES.md.
import { describe, expect, it } from 'vitest';
import { METHODS, type MethodName } from '../../../src/engine/index.ts';

/** BASELINES.md 3, 4, 6, 7, 8, 9, 10; svae: its surrogate's own count (BASELINES.md 5 gives none; svae/index.ts). */
const PAPER_PARAMETERS: Readonly<Record<MethodName, number>> = {
  thresh: 0,
  ae: 1_520_529,
  sae: 924_033,
  vae: 1_815_569,
  svae: 2_218_513,
  dae: 7_701_825,
  fanogan: 23_726_402,
  ddpm: 34_493_313,
  mddpm: 37_513_857,
  pddpm: 37_513_857,
};

describe('method registry parameter counts', () => {
  for (const [name, expected] of Object.entries(PAPER_PARAMETERS) as [MethodName, number][]) {
    it(`${name} paper preset has ${expected} trainable parameters`, () => {
      const method = METHODS[name];
      expect(method.presets[0]).toBe('paper');
      const config = method.trainingConfig('paper');
      expect(config.method).toBe(name);
      expect(method.networks(config).reduce((n, net) => n + net.parameters, 0)).toBe(expected);
    });
  }

  it('vae --vae-variant upd: the UPD VAE of BASELINES.md 4 option B has 1018273 trainable parameters at 96 x 96', () => {
    const config = METHODS.vae.trainingConfig('paper', {}, { vaeVariant: 'upd' });
    expect(config.baseline).toMatchObject({ kind: 'upd-vae', filters: [16, 32, 64, 128, 256], zDim: 512, klWeight: 0.001 });
    expect(config.adam).toMatchObject({ beta1: 0, beta2: 0.9 });
    expect(METHODS.vae.networks(config)).toEqual([{ name: 'vae', parameters: 1_018_273 }]);
    expect(METHODS.vae.networks(METHODS.vae.trainingConfig('tiny', {}, { vaeVariant: 'upd' }))[0].parameters).toBeLessThan(1_018_273);
  });

  it('svae paper: the VAE of BASELINES.md 4 plus 50 x 128 slice positions and two transformer layers of 198272', () => {
    const config = METHODS.svae.trainingConfig('paper');
    const specs = METHODS.svae.paramSpecs(config);
    const count = (prefix: string) => specs.filter((s) => s.name.startsWith(prefix)).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    expect(count('transformer.slice_position')).toBe(50 * 128);
    expect(count('transformer.layers.0.')).toBe(198_272);
    expect(count('transformer.layers.1.')).toBe(198_272);
    expect(2_218_513 - 6_400 - 2 * 198_272).toBe(1_815_569);
  });

  it('counts BatchNorm running statistics as stored state, not as parameters', () => {
    const config = METHODS.ae.trainingConfig('paper');
    const specs = METHODS.ae.paramSpecs(config);
    const state = specs.filter((s) => s.trainable === false);
    // 3 encoder + 1 decoder-input + 3 decoder BatchNorms, each with a running mean and variance.
    expect(state.map((s) => s.name)).toContain('decoder.bn.running_var');
    expect(state).toHaveLength(14);
    expect(specs.slice(0, specs.length - state.length).every((s) => s.trainable !== false)).toBe(true);
  });

  it('offers smaller presets for a CPU or a browser, smaller than paper', () => {
    for (const method of Object.values(METHODS)) {
      const paper = method.networks(method.trainingConfig('paper')).reduce((n, net) => n + net.parameters, 0);
      for (const preset of method.presets.slice(1)) {
        expect(method.networks(method.trainingConfig(preset)).reduce((n, net) => n + net.parameters, 0)).toBeLessThan(paper);
      }
    }
  });
});
