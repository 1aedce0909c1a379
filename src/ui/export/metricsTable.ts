// Metrics and sweep results as CSV and JSON text for export.
import type { EvaluationResult, SweepResult } from '../../../workers/api.ts';

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** One row per case plus a mean row; the threshold and its source in every row so the file stands alone. */
export function evaluationCsv(evaluation: EvaluationResult, alpha: number, noiseLevel: number | null): string {
  const { threshold } = evaluation;
  const common = [alpha, noiseLevel, threshold.value, threshold.source];
  const rows = evaluation.cases.map((c) => [c.caseId, c.split, c.dice, c.auprc, c.auroc, c.bestDiceOracle, ...common]);
  const m = evaluation.mean;
  rows.push(['mean', '', m.dice.mean, m.auprc.mean, m.auroc.mean, m.bestDiceOracle.mean, ...common]);
  return toCsv(['case', 'split', 'dice', 'auprc', 'auroc', 'best_dice_oracle', 'alpha', 'noise_level', 'threshold', 'threshold_source'], rows);
}

export function evaluationJson(evaluation: EvaluationResult, alpha: number, noiseLevel: number | null): string {
  return JSON.stringify({ alpha, noiseLevel, ...evaluation }, null, 2);
}

export function sweepCsv(result: SweepResult): string {
  return toCsv(['alpha', 'noise_level', 'dice', 'auprc'], result.cells.map((c) => [c.alpha, c.noiseLevel, c.dice, c.auprc]));
}

export function sweepJson(result: SweepResult): string {
  return JSON.stringify(result, null, 2);
}
