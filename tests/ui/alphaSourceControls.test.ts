// The analysis panel's words for the alpha a study scored: the chosen one with its validation objective, or why none was chosen (src/ui/components/AlphaSourceControls.tsx).
import { describe, expect, it } from 'vitest';
import { alphaChoiceText } from '../../src/ui/components/AlphaSourceControls.tsx';

describe('alphaChoiceText', () => {
  const choice = { value: 0.7, source: 'val-dice' as const, grid: [0.5, 0.7, 0.84], objective: [0.2, 0.41234, null] };

  it('names the chosen alpha, its objective and the grid size', () => {
    expect(alphaChoiceText(choice, 'val-dice', 'fq')).toBe('chosen alpha 0.7 (pooled Dice 0.412 on validation, best of 3)');
  });

  it('says why no alpha was chosen: another score, a result of another source, or no lesion validation case', () => {
    expect(alphaChoiceText(choice, 'val-dice', 'l1')).toBe('alpha does not change the l1 map');
    expect(alphaChoiceText(choice, 'val-auprc', 'fq')).toMatch(/^chosen after inference/);
    expect(alphaChoiceText({ ...choice, note: 'no reconstructed validation case with lesions' }, 'val-dice', 'fq')).toBe('no reconstructed validation case with lesions');
  });
});
