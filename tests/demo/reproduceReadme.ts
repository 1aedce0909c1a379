// Re-runs the README's demo results table for one shipped checkpoint: the same evaluation as `fqlab evaluate`, with
// each seed's reconstructions scored by both maps (l1 and FQ) so the expensive part runs once.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeOverSeeds } from '../../src/cli/commands/evaluate.ts';
import { openEvaluation } from '../../src/cli/session.ts';
import type { EvaluationResult } from '../../workers/api.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const demo = join(root, 'public/demo');

export interface ReadmeRow {
  model: 'pDDPM (l1 loss)' | 'pDDPM-IQA (FQ loss)';
  noiseLevel: number;
  score: 'l1' | 'fq';
  alpha: number;
  /** Percent, as printed: [mean, std]. */
  dice: [number, number];
  auprc: [number, number];
  auroc: [number, number];
}

/** The rows of the table under "## Results on the demo" in README.md. */
export function readmeDemoRows(): ReadmeRow[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Results on the demo'));
  const rows: ReadmeRow[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (!line.startsWith('| pDDPM')) continue;
    const meanStd = (cell: string): [number, number] => {
      const [mean, std] = cell.split('+-').map(Number);
      return [mean, std];
    };
    const fq = /^FQ, alpha ([\d.]+)$/.exec(cells[3]);
    rows.push({
      model: cells[1] as ReadmeRow['model'],
      noiseLevel: Number(cells[2]),
      score: fq ? 'fq' : 'l1',
      alpha: fq ? Number(fq[1]) : 0,
      dice: meanStd(cells[4]),
      auprc: meanStd(cells[5]),
      auroc: meanStd(cells[6]),
    });
    if (rows.length === 4) break;
  }
  return rows;
}

/** What demo-table.sh passes to `fqlab evaluate`: the lesion validation volumes and the test volumes. */
function demoFiles(pattern: RegExp): string[] {
  return readdirSync(demo).filter((name) => pattern.test(name)).sort().map((name) => join(demo, name));
}

/** Evaluates a shipped checkpoint on the demo over seeds 0-2, scoring the README's rows for that model. */
export async function evaluateShippedCheckpoint(checkpoint: string, rows: readonly ReadmeRow[]) {
  const setup = await openEvaluation({
    model: join(demo, 'models', checkpoint),
    valPaths: demoFiles(/^val-0[3-6]_/),
    testPaths: demoFiles(/^test-/),
    smoothing: true, // the CLI default; the demo volumes are already conformed, so never smoothed
    backend: 'wasm',
  });
  const caseIds = [...setup.validation, ...setup.test].map((c) => c.caseId);
  const noiseLevels = new Set(rows.map((r) => r.noiseLevel));
  if (noiseLevels.size !== 1) throw new Error(`expected one noise level per model in the README, got ${[...noiseLevels].join(', ')}`);
  const runs = rows.map((): EvaluationResult[] => []);
  const { modelId } = setup.modelInfo;
  const noiseLevel = rows[0].noiseLevel;
  for (let seed = 0; seed < 3; seed++) {
    await setup.session.reconstruct({ modelId, caseIds, noiseLevel, seed }, () => undefined);
    for (const [i, row] of rows.entries()) {
      runs[i].push(await setup.session.score({ modelId, noiseLevel, seed, alpha: row.alpha, score: row.score, thresholdSource: 'validation-search' }));
    }
  }
  return { modelInfo: setup.modelInfo, results: runs.map((r) => summarizeOverSeeds(r, setup.test).mean) };
}
