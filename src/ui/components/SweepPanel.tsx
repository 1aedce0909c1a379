// Sweeps: an alpha x noise-level grid on validation and test volumes, as a heatmap and a table; a click applies a cell.
import { inferenceBlocker } from '../actions/analysisActions.ts';
import { applySweepCell, runSweep } from '../actions/sweepActions.ts';
import { downloadBytes } from '../export/download.ts';
import { metricsProvenance, sweepCsv, sweepJson } from '../export/metricsTable.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useSweepStore, type SweepMetric } from '../stores/sweepStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { SweepHeatmap } from './SweepHeatmap.tsx';
import { percent } from '../format.ts';

export function SweepPanel() {
  const sweep = useSweepStore();
  const trainingBusy = useModelStore((s) => s.status !== 'idle');
  const model = useModelStore((s) => s.model);
  const cases = useDataStore((s) => s.cases);
  // A sweep reconstructs and scores like inference, so it needs what inference needs (re-evaluated as model and cases change).
  const blocker = sweep.running ? null : inferenceBlocker();
  const provenance = () => metricsProvenance(model, cases.flatMap((c) => (c.info ? [c.info] : [])));
  const result = sweep.result;
  return (
    <div className="stack">
      <div className="form-grid">
        <label className="wide">
          alphas
          <input type="text" value={sweep.alphasText} onChange={(e) => sweep.set({ alphasText: e.target.value })} data-testid="sweep-alphas" />
        </label>
        <label className="wide">
          noise levels
          <input type="text" value={sweep.noiseLevelsText} onChange={(e) => sweep.set({ noiseLevelsText: e.target.value })} data-testid="sweep-noise-levels" />
        </label>
      </div>
      <div className="button-row">
        <button type="button" className="primary" data-testid="sweep-button" disabled={sweep.running || trainingBusy || blocker !== null} onClick={() => void runSweep()}>
          {sweep.running ? 'Sweeping…' : 'Run sweep'}
        </button>
        <label className="inline">
          colour by
          <select value={sweep.metric} onChange={(e) => sweep.set({ metric: e.target.value as SweepMetric })}>
            <option value="dice">DICE</option>
            <option value="auprc">AUPRC</option>
          </select>
        </label>
      </div>
      {blocker && (
        <p className="hint" data-testid="sweep-blocker">
          {blocker}
        </p>
      )}
      {sweep.running && <ProgressBar value={sweep.done} max={sweep.total} label="sweep cell" testId="sweep-progress" />}
      {result && (
        <>
          <SweepHeatmap result={result} metric={sweep.metric} />
          <table className="sweep-table" data-testid="sweep-table">
            <thead>
              <tr>
                <th scope="col">alpha</th>
                <th scope="col">noise level</th>
                <th scope="col">DICE %</th>
                <th scope="col">AUPRC %</th>
              </tr>
            </thead>
            <tbody>
              {result.cells.map((cell) => {
                const best = result.best !== null && cell.alpha === result.best.alpha && cell.noiseLevel === result.best.noiseLevel;
                return (
                  <tr
                    key={`${cell.alpha}-${cell.noiseLevel}`}
                    className={best ? 'best' : undefined}
                    tabIndex={0}
                    onClick={() => applySweepCell(cell.alpha, cell.noiseLevel)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') applySweepCell(cell.alpha, cell.noiseLevel);
                    }}
                    title="Set the alpha slider and noise level to this cell"
                  >
                    <td>{cell.alpha}</td>
                    <td>{cell.noiseLevel}</td>
                    <td>{percent(cell.dice)}</td>
                    <td>{percent(cell.auprc)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="button-row">
            <button type="button" onClick={() => downloadBytes('fqlab-sweep.csv', sweepCsv(result, provenance()), 'text/csv')}>
              Sweep CSV
            </button>
            <button type="button" onClick={() => downloadBytes('fqlab-sweep.json', sweepJson(result, provenance()), 'application/json')}>
              Sweep JSON
            </button>
          </div>
        </>
      )}
    </div>
  );
}
