// Metrics of the latest evaluation: mean DICE / AUPRC / AUROC, per-case table, threshold used, and a precision-recall curve.
import type { DataSplit, Summary } from '../../../workers/api.ts';
import { setScoreOptions } from '../actions/analysisActions.ts';
import { PrCurveChart } from '../charts/PrCurveChart.tsx';
import { useDemoStore } from '../stores/demoStore.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { percent } from '../format.ts';

function summary(s: Summary): string {
  if (s.mean === null) return '–';
  return s.std !== null && s.n > 1 ? `${percent(s.mean)} ± ${percent(s.std)}` : percent(s.mean);
}

/** Per-case rows are grouped by split: the split the means are over first, training cases last. */
const SPLIT_ORDER: readonly DataSplit[] = ['test', 'validation', 'healthy-train'];

const THRESHOLD_LABEL = {
  'validation-search': 'validation search',
  'exact-best-dice': 'exact best Dice (validation)',
  'fpr-target': 'FPR target',
  manual: 'manual',
} as const;

export function MetricsPanel() {
  const evaluation = useAnalysisStore((s) => s.evaluation);
  const prCaseId = useAnalysisStore((s) => s.prCaseId);
  const scoring = useAnalysisStore((s) => s.scoring);
  const viewedCase = useAnalysisStore((s) => s.viewedCase);
  const seedSummary = useAnalysisStore((s) => s.seedSummary);
  const demoRunning = useDemoStore((s) => s.phase === 'running');
  if (!evaluation) {
    return (
      <div className="metrics empty">
        <div className="metric-cards">
          <div className="metric-card">
            <span>DICE</span>
            <strong data-testid="metric-dice">–</strong>
          </div>
          <div className="metric-card">
            <span>AUPRC</span>
            <strong data-testid="metric-auprc">–</strong>
          </div>
        </div>
        <p className="hint">
          {demoRunning
            ? 'Demo: metrics appear as soon as the first test case is reconstructed (Dice once a validation case is, for its threshold).'
            : 'Train or load a model, then “Run inference” to see metrics.'}
        </p>
      </div>
    );
  }
  const { mean, threshold, cases, prCurve } = evaluation;
  return (
    <div className={scoring ? 'metrics updating' : 'metrics'}>
      <div className="metric-cards">
        <div className="metric-card" title="Mean Dice over volumes at the chosen threshold, in %">
          <span>DICE</span>
          <strong data-testid="metric-dice">{summary(mean.dice)}</strong>
        </div>
        <div className="metric-card" title="Mean average precision over volumes, in %">
          <span>AUPRC</span>
          <strong data-testid="metric-auprc">{summary(mean.auprc)}</strong>
        </div>
        <div className="metric-card">
          <span>AUROC</span>
          <strong data-testid="metric-auroc">{summary(mean.auroc)}</strong>
        </div>
        <div className="metric-card" title="Best Dice per volume with its own threshold: an upper bound, not a fair result">
          <span>best DICE (oracle)</span>
          <strong>{summary(mean.bestDiceOracle)}</strong>
        </div>
      </div>
      {seedSummary ? (
        <p className="hint" data-testid="seed-summary">
          over seeds {seedSummary.perSeed.map((s) => s.seed).join(', ')} (as fqlab evaluate --seeds {seedSummary.perSeed.length}): DICE {summary(seedSummary.mean.dice)} · AUPRC{' '}
          {summary(seedSummary.mean.auprc)} · AUROC {summary(seedSummary.mean.auroc)}
        </p>
      ) : null}
      {scoring ? (
        <p className="hint" data-testid="metrics-updating">
          updating…
          {viewedCase ? ` viewed case ${viewedCase.metrics.caseId} at alpha ${viewedCase.key.alpha}: AUPRC ${percent(viewedCase.metrics.auprc)} %` : ''}
        </p>
      ) : null}
      <p className="hint" data-testid="threshold-info">
        {threshold.value === null ? 'no threshold' : `threshold ${threshold.value.toPrecision(4)}`} from {THRESHOLD_LABEL[threshold.source]}
        {threshold.fprTarget !== undefined ? ` ${percent(threshold.fprTarget)} %` : ''}
        {threshold.pooledDice !== undefined && threshold.pooledDice !== null ? ` (pooled validation Dice ${percent(threshold.pooledDice)} %)` : ''}
        {threshold.note ? ` — ${threshold.note}` : ''} · means over {evaluation.meanOver ?? 'no lesion cases'} · seed {evaluation.key.seed} (one seed; “fqlab evaluate --seeds n” gives
        mean ± std over seeds) · values in % · scored in {Math.round(evaluation.elapsedMs)} ms
      </p>
      <div className="metrics-body">
        <table className="metric-table" data-testid="metric-table">
          <thead>
            <tr>
              <th scope="col">case</th>
              <th scope="col">split</th>
              <th scope="col">DICE</th>
              <th scope="col">AUPRC</th>
              <th scope="col">AUROC</th>
              <th scope="col">oracle</th>
            </tr>
          </thead>
          {SPLIT_ORDER.map((split) => {
            const rows = cases.filter((c) => c.split === split);
            if (rows.length === 0) return null;
            return (
              <tbody key={split} data-testid={`metric-group-${split}`}>
                <tr className="split-row">
                  <th scope="rowgroup" colSpan={6}>
                    {split} ({rows.length}){split === evaluation.meanOver ? ' · the means above' : ''}
                  </th>
                </tr>
                {rows.map((c) => (
                  <tr key={c.caseId}>
                    <th scope="row">{c.caseId}</th>
                    <td>{c.split}</td>
                    <td>{percent(c.dice)}</td>
                    <td>{percent(c.auprc)}</td>
                    <td>{percent(c.auroc)}</td>
                    <td>{percent(c.bestDiceOracle)}</td>
                  </tr>
                ))}
              </tbody>
            );
          })}
        </table>
        <div className="pr-curve">
          <label>
            PR curve of
            <select value={prCaseId} onChange={(e) => setScoreOptions({ prCaseId: e.target.value })}>
              <option value="">first test case with lesions</option>
              {cases.map((c) => (
                <option key={c.caseId} value={c.caseId}>
                  {c.caseId}
                </option>
              ))}
            </select>
          </label>
          {prCurve ? (
            <PrCurveChart precision={prCurve.precision} recall={prCurve.recall} caseId={prCurve.caseId} />
          ) : (
            <p className="hint">No case with lesions to draw a curve for.</p>
          )}
        </div>
      </div>
    </div>
  );
}
