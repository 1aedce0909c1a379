// Metrics and sweep results as CSV and JSON text for export, each naming the model's AIR decision and the cases' smoothing.
import { airLabel, smoothingLabel } from '../../core/provenance.ts';
import type { CaseInfo, EvaluationResult, ModelInfo, SweepResult } from '../../../workers/api.ts';

/** How the model and the cases were prepared, written into every metrics file so it stands alone. */
export interface MetricsProvenance {
  /** The model's AIR decision, e.g. "AIR on (modality)"; '' without a model. */
  air: string;
  /** Each case's read-time smoothing, e.g. "curvature flow 0.125 x 3", by case id. */
  smoothingByCase: Readonly<Record<string, string>>;
}

export function metricsProvenance(model: ModelInfo | null, cases: readonly CaseInfo[]): MetricsProvenance {
  return {
    air: model ? airLabel(model.airApplied, model.airMode) : '',
    smoothingByCase: Object.fromEntries(cases.map((c) => [c.caseId, smoothingLabel(c.smoothing)])),
  };
}

/** One label for several cases' smoothing: the shared one, or the distinct ones joined by " / ". */
function smoothingOf(provenance: MetricsProvenance, caseIds: readonly string[]): string {
  return [...new Set(caseIds.map((id) => provenance.smoothingByCase[id] ?? ''))].join(' / ');
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** One row per case plus a mean row; the scored alpha and noise level, the threshold, its source, AIR and smoothing in every row so the file stands alone. */
export function evaluationCsv(evaluation: EvaluationResult, provenance: MetricsProvenance): string {
  const { threshold, key } = evaluation;
  const common = [key.alpha, key.noiseLevel, threshold.value, threshold.source, provenance.air];
  const rows = evaluation.cases.map((c) => [
    c.caseId, c.split, c.dice, c.auprc, c.auroc, c.bestDiceOracle, ...common, smoothingOf(provenance, [c.caseId]),
  ]);
  const m = evaluation.mean;
  const all = smoothingOf(provenance, evaluation.cases.map((c) => c.caseId));
  rows.push(['mean', '', m.dice.mean, m.auprc.mean, m.auroc.mean, m.bestDiceOracle.mean, ...common, all]);
  const header = ['case', 'split', 'dice', 'auprc', 'auroc', 'best_dice_oracle', 'alpha', 'noise_level', 'threshold', 'threshold_source', 'air', 'smoothing'];
  return toCsv(header, rows);
}

export function evaluationJson(evaluation: EvaluationResult, provenance: MetricsProvenance): string {
  const smoothing = Object.fromEntries(evaluation.cases.map((c) => [c.caseId, smoothingOf(provenance, [c.caseId])]));
  return JSON.stringify({ alpha: evaluation.key.alpha, noiseLevel: evaluation.key.noiseLevel, air: provenance.air, smoothing, ...evaluation }, null, 2);
}

/** Sweep cells score every case at once: the model's AIR and all cases' smoothing in every row. */
export function sweepCsv(result: SweepResult, provenance: MetricsProvenance): string {
  const smoothing = smoothingOf(provenance, Object.keys(provenance.smoothingByCase));
  return toCsv(
    ['alpha', 'noise_level', 'dice', 'auprc', 'air', 'smoothing'],
    result.cells.map((c) => [c.alpha, c.noiseLevel, c.dice, c.auprc, provenance.air, smoothing]),
  );
}

export function sweepJson(result: SweepResult, provenance: MetricsProvenance): string {
  return JSON.stringify({ air: provenance.air, smoothing: provenance.smoothingByCase, ...result }, null, 2);
}
