// The real-scan demo track's stored results: parsed defensively, compared in plain words, and the ?track= switch.
import { describe, expect, it } from 'vitest';
import { demoTrackFromAddress } from '../../src/ui/demo/demoSettings.ts';
import { comparisonSentence, parseRealTrackResults, REAL_RESULTS_FORMAT } from '../../src/ui/demo/realTrackResults.ts';
import type { RealTrackResult } from '../../src/ui/stores/demoStore.ts';

const row = (model: RealTrackResult['model'], dice: number, thresholdCase = 'mslub07-t2'): RealTrackResult => ({
  modality: 'T2',
  model,
  score: model === 'pddpm' ? 'l1' : 'fq',
  noiseLevel: model === 'pddpm' ? 500 : 750,
  thresholdCase,
  testCase: 'tcga-du-7294-t2',
  seeds: 3,
  dice: { mean: dice, std: 0.01 },
  auprc: { mean: 0.2, std: 0.02 },
});

describe('real-track results', () => {
  it('reads its own rows and refuses a malformed one, naming it', () => {
    const rows = [row('pddpm', 0.3), row('pddpm-iqa', 0.2)];
    expect(parseRealTrackResults({ format: REAL_RESULTS_FORMAT, rows })).toEqual(rows);
    expect(() => parseRealTrackResults({ format: REAL_RESULTS_FORMAT, rows: [rows[0], { ...rows[1], dice: 0.2 }] })).toThrow(/row 2 is malformed/);
    expect(() => parseRealTrackResults({ rows })).toThrow(/format/);
  });

  it('says plainly when FQ loses to l1, with both numbers, for the page\'s threshold case only', () => {
    const loses = comparisonSentence([row('pddpm', 0.3), row('pddpm-iqa', 0.2), row('pddpm-iqa', 0.9, 'tcga-du-7294-t2')], 'mslub07-t2');
    expect(loses).toContain('FQ loses to l1 on DICE here');
    expect(loses).toContain('pDDPM-IQA (FQ) DICE 20.0 ± 1.0 %');
    expect(loses).toContain('pDDPM (l1) DICE 30.0 ± 1.0 %');
    expect(comparisonSentence([row('pddpm', 0.3), row('pddpm-iqa', 0.4)], 'mslub07-t2')).toContain('FQ beats l1');
    expect(comparisonSentence([row('pddpm', 0.3), row('pddpm-iqa', 0.2), row('thresh', 0.5)], 'mslub07-t2')).toContain(
      'Thresh baseline (the image itself as the map) scores DICE 50.0 ± 1.0 %, AUPRC 20.0 ± 2.0 %, better than both models.',
    );
    expect(comparisonSentence([row('pddpm', 0.3)], 'mslub07-t2')).toBeNull();
  });

  it('opens the track the address names, else the synthetic one', () => {
    expect(demoTrackFromAddress('?track=real-flair')).toBe('real-flair');
    expect(demoTrackFromAddress('?track=toString')).toBe('synthetic');
    expect(demoTrackFromAddress('')).toBe('synthetic');
  });
});
