// Tests the protocol's shared checks: the UI, the sweep form, the worker and the CLI accept the same noise levels and alphas.
import { describe, expect, it } from 'vitest';
import { alphaProblem, noiseLevelProblem, PAPER_PROTOCOL } from '../../src/core/protocol.ts';
import { DIFFUSION_STEPS } from '../../src/engine/schedule.ts';

describe('PAPER_PROTOCOL checks', () => {
  it('noise levels are whole numbers from 1 to T', () => {
    expect(PAPER_PROTOCOL.noiseLevel.max).toBe(DIFFUSION_STEPS);
    for (const ok of [1, 500, 750, 1000]) expect(noiseLevelProblem(ok)).toBeNull();
    for (const bad of [0, 1001, 7.5, Number.NaN]) expect(noiseLevelProblem(bad)).toMatch(/whole number from 1 to 1000/);
  });

  it('alpha is a number from 0 to 1', () => {
    for (const ok of [0, PAPER_PROTOCOL.fqAlpha, 1]) expect(alphaProblem(ok)).toBeNull();
    for (const bad of [-0.1, 1.01, Number.NaN]) expect(alphaProblem(bad)).toMatch(/from 0 to 1/);
  });
});
