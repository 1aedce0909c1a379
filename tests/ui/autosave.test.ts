// Training stretches end at autosave steps: multiples of the interval, aligned with validation evaluations, capped at the run's end.
import { describe, expect, it } from 'vitest';
import { nextAutosaveStep } from '../../src/ui/stores/modelStore.ts';

describe('nextAutosaveStep', () => {
  it('ends each stretch at the next multiple of the interval, and the last at the run end', () => {
    const ends: number[] = [];
    for (let step = 0; step < 120; step = nextAutosaveStep(step, 120, 50, 0)) ends.push(nextAutosaveStep(step, 120, 50, 0));
    expect(ends).toEqual([50, 100, 120]);
  });

  it('continues a resumed run from a step between autosaves to the next autosave', () => {
    expect(nextAutosaveStep(37, 200, 50, 0)).toBe(50);
  });

  it('rounds the interval up to a multiple of evaluateEvery, so a stretch end never adds an evaluation', () => {
    expect(nextAutosaveStep(0, 500, 50, 30)).toBe(60);
    expect(nextAutosaveStep(60, 500, 50, 30)).toBe(120);
    expect(nextAutosaveStep(0, 500, 2, 6)).toBe(6);
  });
});
