// The comparison table's rows: registry order, "+IQA" after its base with the relative change, the best mean per column marked.
import { describe, expect, it } from 'vitest';
import { comparisonRows } from '../../src/ui/comparisonTable.ts';
import type { ComparisonEntry } from '../../src/ui/stores/comparisonStore.ts';
import type { MethodName, ModelInfo, SeedSummary } from '../../workers/api.ts';

const summary = (mean: number) => ({ mean, std: 0, n: 1 });
function entry(modelId: string, method: MethodName, loss: 'fq' | 'l1', means: [number, number, number] | null): ComparisonEntry {
  const result: SeedSummary | null = means && {
    perSeed: [],
    mean: { dice: summary(means[0]), auprc: summary(means[1]), auroc: summary(means[2]), bestDiceOracle: summary(0) },
  };
  return { modelId, origin: modelId, info: { method, loss } as ModelInfo, noiseLevel: 500, score: loss, alpha: 0.84, result, failure: null };
}

describe('comparisonRows', () => {
  const order: MethodName[] = ['thresh', 'ae', 'pddpm'];

  it('orders by method, puts +IQA after its base with the relative change, and marks each column\'s best', () => {
    const rows = comparisonRows(
      [entry('p-iqa', 'pddpm', 'fq', [0.5, 0.6, 0.9]), entry('t', 'thresh', 'l1', [0.2, 0.3, 0.95]), entry('p', 'pddpm', 'l1', [0.4, 0.5, 0.8])],
      order,
    );
    expect(rows.map((r) => r.entry.modelId)).toEqual(['t', 'p', 'p-iqa']);
    expect(rows.map((r) => r.iqa)).toEqual([false, false, true]);
    expect(rows[2].base?.modelId).toBe('p');
    expect(rows[2].change.dice).toBeCloseTo(0.25, 12);
    expect(rows[2].change.auroc).toBeCloseTo(0.125, 12);
    expect(rows[1].change.dice).toBeNull();
    expect(rows.map((r) => r.best.dice)).toEqual([false, false, true]);
    expect(rows.map((r) => r.best.auroc)).toEqual([true, false, false]);
  });

  it('has no base, change or best mark without results', () => {
    const rows = comparisonRows([entry('a-iqa', 'ae', 'fq', [0.3, 0.3, 0.3]), entry('a', 'ae', 'l1', null)], order);
    expect(rows.map((r) => r.entry.modelId)).toEqual(['a', 'a-iqa']);
    expect(rows[1].base).toBeNull();
    expect(rows[1].change.dice).toBeNull();
    expect(rows[0].best.dice).toBe(false);
    expect(rows[1].best.dice).toBe(true);
  });
});
