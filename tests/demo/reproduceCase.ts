// One reproduce test per shipped checkpoint (two files, so Vitest runs them on both cores): evaluate, then compare.
import { expect, it } from 'vitest';
import { evaluateShippedCheckpoint, readmeDemoRows, type ReadmeRow } from './reproduceReadme.ts';

export function reproduces(model: ReadmeRow['model'], checkpoint: string, trainingLoss: 'l1' | 'fq'): void {
  it(`${checkpoint} on the demo test set matches the README's rows within their std`, async () => {
    const rows = readmeDemoRows().filter((r) => r.model === model);
    expect(rows.map((r) => r.score).sort()).toEqual(['fq', 'l1']);
    const { modelInfo, results } = await evaluateShippedCheckpoint(checkpoint, rows);
    expect(modelInfo.loss).toBe(trainingLoss);
    for (const [i, row] of rows.entries()) {
      for (const metric of ['dice', 'auprc', 'auroc'] as const) {
        const [mean, std] = row[metric];
        const got = results[i][metric];
        expect(got.n, `${row.score} ${metric}: seeds`).toBe(3);
        // Printed with two decimals: allow the rounding on top of the std.
        expect(Math.abs(100 * (got.mean ?? Number.NaN) - mean), `${row.score} ${metric}: ${100 * (got.mean ?? Number.NaN)} vs README ${mean} +- ${std}`)
          .toBeLessThanOrEqual(std + 0.005);
      }
    }
  }, 1_800_000);
}
