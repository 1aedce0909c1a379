// The comparison table's rows, as in the paper's table: methods in registry order, "+IQA" right after its base method with the relative change, the best value per column marked.
import type { MethodName, ScoreKind, Summary } from '../../workers/api.ts';
import { percent } from './format.ts';
import type { ComparisonEntry } from './stores/comparisonStore.ts';

export const COMPARISON_METRICS = ['dice', 'auprc', 'auroc'] as const;
export type ComparisonMetric = (typeof COMPARISON_METRICS)[number];

export interface ComparisonRow {
  entry: ComparisonEntry;
  /** Trained on the FQ loss and scored with the FQ map (the paper's "X-IQA"; AIR as the model recorded it). */
  iqa: boolean;
  /** The row an IQA row is measured against: the first of its method without IQA that has a result; else null. */
  base: ComparisonEntry | null;
  /** (IQA - base) / base of the means over seeds, per metric; null without a base or where the base is 0. */
  change: Record<ComparisonMetric, number | null>;
  /** Whether this row holds the highest mean of the column (ties all marked). */
  best: Record<ComparisonMetric, boolean>;
}

export function isIqa(entry: Pick<ComparisonEntry, 'info' | 'score'>): boolean {
  return entry.info.loss === 'fq' && entry.score === 'fq';
}

/** A row's name as in the paper's table: the method's label (its registry name when unknown), "-IQA" after it for an IQA row. */
export function rowLabel(entry: Pick<ComparisonEntry, 'info' | 'score'>, methods: readonly { name: MethodName; label: string }[]): string {
  const method = methods.find((m) => m.name === entry.info.method)?.label ?? entry.info.method;
  return isIqa(entry) ? `${method}-IQA` : method;
}

/** The viewer layer that shows a score's map. */
export function scoreMapLayer(score: ScoreKind): 'l1' | 'ssim-loss' | 'fq' {
  return score === 'ssim' ? 'ssim-loss' : score;
}

/** Mean ± std over seeds in %, the mean alone for one seed, '–' without a value. */
export function seedSummaryText(s: Summary): string {
  if (s.mean === null) return '–';
  return s.std !== null && s.n > 1 ? `${percent(s.mean)} ± ${percent(s.std)}` : percent(s.mean);
}

/** An IQA row's relative change against its base, as " (+12.3 %)"; '' without one. */
export function relativeChangeText(change: number | null): string {
  if (change === null) return '';
  return ` (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %)`;
}

function meanOf(entry: ComparisonEntry | null, metric: ComparisonMetric): number | null {
  return entry?.result?.mean[metric].mean ?? null;
}

/** The rows in table order; `methodOrder` is the registry's (unknown methods go last, in the order they were added). */
export function comparisonRows(entries: readonly ComparisonEntry[], methodOrder: readonly MethodName[]): ComparisonRow[] {
  const rank = (entry: ComparisonEntry) => {
    const index = methodOrder.indexOf(entry.info.method);
    return (index < 0 ? methodOrder.length : index) * 2 + (isIqa(entry) ? 1 : 0);
  };
  const ordered = entries.map((entry, added) => ({ entry, added })).sort((a, b) => rank(a.entry) - rank(b.entry) || a.added - b.added).map((o) => o.entry);
  const bestOf = Object.fromEntries(
    COMPARISON_METRICS.map((metric) => [metric, Math.max(...ordered.map((e) => meanOf(e, metric) ?? Number.NEGATIVE_INFINITY))]),
  ) as Record<ComparisonMetric, number>;
  return ordered.map((entry) => {
    const iqa = isIqa(entry);
    const base = iqa ? (ordered.find((e) => e.info.method === entry.info.method && !isIqa(e) && e.result !== null) ?? null) : null;
    const change = {} as Record<ComparisonMetric, number | null>;
    const best = {} as Record<ComparisonMetric, boolean>;
    for (const metric of COMPARISON_METRICS) {
      const value = meanOf(entry, metric);
      const baseValue = meanOf(base, metric);
      change[metric] = value !== null && baseValue !== null && baseValue !== 0 ? (value - baseValue) / baseValue : null;
      best[metric] = value !== null && Number.isFinite(bestOf[metric]) && value === bestOf[metric];
    }
    return { entry, iqa, base, change, best };
  });
}
