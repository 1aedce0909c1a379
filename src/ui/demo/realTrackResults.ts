// The real-scan track's committed evaluation (public/demo/real/models/results.json, from fqlab evaluate), read defensively.
import { MODALITIES, type Modality } from '../../../workers/api.ts';
import type { RealTrackResult } from '../stores/demoStore.ts';

export const REAL_RESULTS_FORMAT = 'fqlab-demo-results/1';

function meanStd(value: unknown): { mean: number; std: number } | null {
  const entry = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  return entry && typeof entry.mean === 'number' && typeof entry.std === 'number' ? { mean: entry.mean, std: entry.std } : null;
}

function parseRow(value: unknown): RealTrackResult | null {
  if (typeof value !== 'object' || value === null) return null;
  const row = value as Record<string, unknown>;
  const dice = meanStd(row.dice);
  const auprc = meanStd(row.auprc);
  const ok =
    (MODALITIES as readonly unknown[]).includes(row.modality) &&
    (row.model === 'pddpm' || row.model === 'pddpm-iqa' || row.model === 'thresh') &&
    (row.score === 'l1' || row.score === 'fq') &&
    typeof row.noiseLevel === 'number' &&
    typeof row.thresholdCase === 'string' &&
    typeof row.testCase === 'string' &&
    typeof row.seeds === 'number';
  if (!ok || !dice || !auprc) return null;
  return {
    modality: row.modality as Modality,
    model: row.model as RealTrackResult['model'],
    score: row.score as 'l1' | 'fq',
    noiseLevel: row.noiseLevel as number,
    thresholdCase: row.thresholdCase as string,
    testCase: row.testCase as string,
    seeds: row.seeds as number,
    dice,
    auprc,
  };
}

/** The rows of a results file; throws an Error saying what is wrong (the caller names the file). */
export function parseRealTrackResults(json: unknown): RealTrackResult[] {
  const root = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : null;
  if (root?.format !== REAL_RESULTS_FORMAT || !Array.isArray(root.rows)) throw new Error(`not a demo results file (format "${REAL_RESULTS_FORMAT}" with rows expected)`);
  const rows = root.rows.map(parseRow);
  const bad = rows.findIndex((row) => row === null);
  if (bad >= 0) throw new Error(`row ${bad + 1} is malformed (needs modality, model, score, noiseLevel, thresholdCase, testCase, seeds, dice and auprc)`);
  return rows as RealTrackResult[];
}

const percent = (value: { mean: number; std: number }): string => `${(100 * value.mean).toFixed(1)} ± ${(100 * value.std).toFixed(1)}`;

/**
 * The plain comparison the page shows: both models' DICE and AUPRC with the threshold from `thresholdCase`, whether
 * pDDPM-IQA (FQ) beats pDDPM (l1) on DICE, and the model-free Thresh baseline when stored. Null when a model row is missing.
 */
export function comparisonSentence(results: readonly RealTrackResult[], thresholdCase: string): string | null {
  const row = (model: RealTrackResult['model']) => results.find((r) => r.model === model && r.thresholdCase === thresholdCase);
  const fq = row('pddpm-iqa');
  const l1 = row('pddpm');
  if (!fq || !l1) return null;
  const verdict =
    fq.dice.mean > l1.dice.mean ? 'FQ beats l1 on DICE here' : fq.dice.mean < l1.dice.mean ? 'FQ loses to l1 on DICE here' : 'FQ and l1 tie on DICE here';
  const thresh = row('thresh');
  const baseline = thresh
    ? ` The model-free Thresh baseline (the image itself as the map) scores DICE ${percent(thresh.dice)} %, AUPRC ${percent(thresh.auprc)} %` +
      (thresh.dice.mean > Math.max(fq.dice.mean, l1.dice.mean) ? ', better than both models.' : '.')
    : '';
  return (
    `Measured with fqlab evaluate (threshold searched on ${thresholdCase}, tested on ${fq.testCase}, ${fq.seeds} seeds): ` +
    `pDDPM-IQA (FQ) DICE ${percent(fq.dice)} %, AUPRC ${percent(fq.auprc)} %; pDDPM (l1) DICE ${percent(l1.dice)} %, AUPRC ${percent(l1.auprc)} %. ${verdict}.${baseline}`
  );
}
