// The provenance an exported map carries: the compact NIfTI description fits its 79 characters and names every setting (src/core/provenance.ts).
import { describe, expect, it } from 'vitest';
import { compactProvenance, runProvenance } from '../../src/core/provenance.ts';

const model = { modelId: 'model-1f0c9a33d2b4e870-311204', method: 'pddpm', preset: 'tiny', step: 600, airApplied: true, airMode: 'modality' } as const;
const scored = { score: 'fq', alpha: 0.84, alphaSource: 'fixed', structural: 'ssim', noiseLevel: 250, seed: 1, threshold: 0.0123456, thresholdSource: 'validation-search' };

describe('export provenance', () => {
  it('records the model, the scoring, the threshold and the app version', () => {
    expect(runProvenance(model, scored, '0.1.0')).toEqual({
      appVersion: '0.1.0', method: 'pddpm', preset: 'tiny', trainingStep: 600, checkpoint: 'model-1f0c9a33d2b4e870-311204',
      air: 'AIR on (modality)', score: 'fq', alpha: 0.84, alphaSource: 'fixed', structural: 'ssim', noiseLevel: 250, seed: 1, threshold: 0.0123456, thresholdSource: 'validation-search',
    });
  });

  it('writes a NIfTI description that names every setting, and leaves out trailing parts past 79 characters', () => {
    expect(compactProvenance('prediction', runProvenance(model, scored, '0.1.0'))).toBe('fqlab 0.1.0 pred fq pddpm tiny@600 #1f0c9a33 AIR on a0.84 n250 s1 t0.01235 val');
    expect(compactProvenance('fq', { ...runProvenance(model, scored, '0.1.0'), threshold: null })).toMatch(/ s1 t none$/);
    const long = runProvenance({ ...model, preset: 'custom', step: 123456, airApplied: false }, { ...scored, alpha: 0.125, noiseLevel: 1000, seed: 12, threshold: 1.23456e-7, thresholdSource: 'manual' }, '10.12.3');
    const description = compactProvenance('reconstruction', long);
    expect(description).toBe('fqlab 10.12.3 recon fq pddpm custom@123456 #1f0c9a33 AIR off a0.125 n1000 s12');
    expect(description.length).toBeLessThanOrEqual(79);
  });

  it('names a structural term other than SSIM after the score, and a chosen alpha\'s source after its value', () => {
    const chosen = runProvenance(model, { ...scored, alpha: 0.7, alphaSource: 'val-dice', structural: 'gmsd' }, '0.1.0');
    expect(compactProvenance('fq', chosen)).toBe('fqlab 0.1.0 fq fq:gmsd pddpm tiny@600 #1f0c9a33 AIR on a0.7/vd n250 s1');
    expect(compactProvenance('fq', { ...chosen, alphaSource: 'val-auprc', structural: 'ms-ssim' })).toMatch(/ fq:ms-ssim .* a0\.7\/va /);
    expect(compactProvenance('fq', { ...chosen, score: 'l1' })).toMatch(/^fqlab 0\.1\.0 fq l1 pddpm/);
  });
});
