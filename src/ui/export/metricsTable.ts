// Metrics and sweep results as CSV and JSON text for export, each naming the model, its AIR decision, the scoring, the cases' smoothing and the app version.
import { APP_VERSION } from '../../core/appVersion.ts';
import { airLabel, runProvenance, smoothingLabel, type ProvenanceModel, type RunProvenance } from '../../core/provenance.ts';
import { structuralTermOf, type CaseInfo, type EvaluationResult, type ModelInfo, type SweepResult } from '../../../workers/api.ts';

/** How the model and the cases were prepared, written into every metrics file so it stands alone. */
export interface MetricsProvenance {
  /** The model's AIR decision, e.g. "AIR on (modality)"; '' without a model. */
  air: string;
  /** Each case's read-time smoothing, e.g. "curvature flow 0.125 x 3", by case id. */
  smoothingByCase: Readonly<Record<string, string>>;
  /** The model that made the maps (method, preset, step, checkpoint hash); null without one. */
  model: ProvenanceModel | null;
  appVersion: string;
}

export function metricsProvenance(model: ModelInfo | null, cases: readonly CaseInfo[], appVersion = APP_VERSION): MetricsProvenance {
  return {
    air: model ? airLabel(model.airApplied, model.airMode) : '',
    smoothingByCase: Object.fromEntries(cases.map((c) => [c.caseId, smoothingLabel(c.smoothing)])),
    model,
    appVersion,
  };
}

/** The whole record of an evaluation: model, scoring, threshold and app version (model fields empty without a model). */
export function evaluationProvenance(evaluation: EvaluationResult, provenance: MetricsProvenance): RunProvenance {
  const { score, alpha, noiseLevel, seed } = evaluation.key;
  const structural = structuralTermOf(evaluation.key) ?? 'ssim';
  const alphaSource = evaluation.alphaChoice?.source ?? 'fixed';
  const scored = { score, alpha, alphaSource, structural, noiseLevel, seed, threshold: evaluation.threshold.value, thresholdSource: evaluation.threshold.source };
  const model = provenance.model ?? { modelId: evaluation.key.modelId, method: '', preset: '', step: 0, airApplied: false, airMode: 'modality' as const };
  return { ...runProvenance(model, scored, provenance.appVersion), air: provenance.air };
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

/**
 * One row per case plus a mean row; the scoring (alpha and its source, structural term, noise level, seed, score), the threshold and its source, AIR,
 * smoothing, the model (method, preset, training step, checkpoint hash) and the app version in every row, so the file stands alone.
 */
export function evaluationCsv(evaluation: EvaluationResult, provenance: MetricsProvenance): string {
  const run = evaluationProvenance(evaluation, provenance);
  const before = [run.alpha, run.noiseLevel, run.threshold, run.thresholdSource, run.air];
  const after = [run.seed, run.score, run.method, run.preset, run.trainingStep, run.checkpoint, run.appVersion, run.alphaSource, run.structural];
  const rows = evaluation.cases.map((c) => [
    c.caseId, c.split, c.dice, c.auprc, c.auroc, c.bestDiceOracle, ...before, smoothingOf(provenance, [c.caseId]), ...after,
  ]);
  const m = evaluation.mean;
  const all = smoothingOf(provenance, evaluation.cases.map((c) => c.caseId));
  rows.push(['mean', '', m.dice.mean, m.auprc.mean, m.auroc.mean, m.bestDiceOracle.mean, ...before, all, ...after]);
  const header = [
    'case', 'split', 'dice', 'auprc', 'auroc', 'best_dice_oracle', 'alpha', 'noise_level', 'threshold', 'threshold_source', 'air', 'smoothing',
    'seed', 'score', 'method', 'preset', 'training_step', 'checkpoint', 'app_version', 'alpha_source', 'structural',
  ];
  return toCsv(header, rows);
}

export function evaluationJson(evaluation: EvaluationResult, provenance: MetricsProvenance): string {
  const smoothing = Object.fromEntries(evaluation.cases.map((c) => [c.caseId, smoothingOf(provenance, [c.caseId])]));
  const run = evaluationProvenance(evaluation, provenance);
  return JSON.stringify({ provenance: run, alpha: run.alpha, noiseLevel: run.noiseLevel, air: run.air, smoothing, ...evaluation }, null, 2);
}

/** Sweep cells score every case at once: the model's AIR, all cases' smoothing and the structural term in every row. */
export function sweepCsv(result: SweepResult, provenance: MetricsProvenance): string {
  const smoothing = smoothingOf(provenance, Object.keys(provenance.smoothingByCase));
  return toCsv(
    ['alpha', 'noise_level', 'dice', 'auprc', 'air', 'smoothing', 'structural'],
    result.cells.map((c) => [c.alpha, c.noiseLevel, c.dice, c.auprc, provenance.air, smoothing, result.structural]),
  );
}

export function sweepJson(result: SweepResult, provenance: MetricsProvenance): string {
  return JSON.stringify({ air: provenance.air, smoothing: provenance.smoothingByCase, ...result }, null, 2);
}
