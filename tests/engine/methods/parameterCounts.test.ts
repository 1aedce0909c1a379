// Parameter counts of every method's paper preset (PyTorch's convention: trainable only, BatchNorm running statistics excluded) against BASELINES.md.
import { describe, expect, it } from 'vitest';
import { METHODS, type MethodName } from '../../../src/engine/index.ts';

/** BASELINES.md 3, 4, 6, 7, 8, 9, 10. */
const PAPER_PARAMETERS: Readonly<Record<MethodName, number>> = {
  thresh: 0,
  ae: 1_520_529,
  sae: 924_033,
  vae: 1_815_569,
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
