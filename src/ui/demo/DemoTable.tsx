// The paper's table for the demo's test set, computed here as soon as the demo is ready: Thresh, pDDPM and pDDPM-IQA, mean ± std over seeds, best marked, each row's maps one click away.
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import { COMPARISON_METRICS, comparisonRows, relativeChangeText, rowLabel, seedSummaryText, type ComparisonRow } from '../comparisonTable.ts';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDemoTableStore } from '../stores/demoTableStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { viewDemoTableRow } from './demoTable.ts';

const METRIC_LABELS = { dice: 'DICE', auprc: 'AUPRC', auroc: 'AUROC' } as const;

/** How a row was scored, in a few words. */
function rowSettings(row: ComparisonRow): string {
  const { entry } = row;
  if (entry.info.method === 'thresh') return `the scan as the map, AIR ${entry.info.airApplied ? 'on' : 'off'}`;
  const loss = entry.info.loss === 'fq' ? `FQ loss α=${entry.info.alpha}` : 'l1 loss';
  const score = entry.score === 'fq' ? `FQ score α=${entry.alpha}` : `${entry.score} score`;
  return `${loss}, ${score}, noise level ${entry.noiseLevel}`;
}

/** "1 test case", "8 test cases". */
function cases(n: number, kind: string): string {
  return `${n} ${kind} case${n === 1 ? '' : 's'}`;
}

function seedsText(seedCount: number): string {
  return seedCount === 1 ? 'seed 0' : `seeds 0 to ${seedCount - 1}`;
}

export function DemoTable() {
  const table = useDemoTableStore();
  const methods = useModelStore((s) => s.methods);
  const viewedModelId = useModelStore((s) => s.model?.modelId ?? null);
  // Opening a row's maps swaps the current model: not while the user trains or reconstructs.
  const training = useModelStore((s) => s.status !== 'idle');
  const reconstructing = useAnalysisStore((s) => s.reconstruction.status === 'running');
  const busy = training || reconstructing;
  if (table.status === 'idle') return null;
  const rows = comparisonRows(table.entries, methods?.map((m) => m.name) ?? []);
  const running = table.status === 'running';

  return (
    <div className="demo-table" data-testid="demo-table" data-status={table.status}>
      <table className="metric-table comparison-table">
        <caption>
          The paper&apos;s table on the demo&apos;s {cases(table.testCases, 'test')}, computed in this page
        </caption>
        <thead>
          <tr>
            <th scope="col">method</th>
            {COMPARISON_METRICS.map((metric) => (
              <th scope="col" key={metric}>
                {METRIC_LABELS[metric]}
              </th>
            ))}
            <th scope="col" aria-label="maps" />
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.entry.modelId} data-testid="demo-table-row" data-method={rowLabel(row.entry, methods ?? [])} className={row.iqa ? 'iqa' : undefined}>
              <th scope="row">
                {rowLabel(row.entry, methods ?? [])}
                <div className="hint">{rowSettings(row)}</div>
              </th>
              {COMPARISON_METRICS.map((metric) => (
                <td key={metric} data-testid={`demo-table-${metric}`} className={row.best[metric] ? 'best' : undefined} title={row.best[metric] ? 'best in this column' : undefined}>
                  {row.entry.result ? row.best[metric] ? <strong>{seedSummaryText(row.entry.result.mean[metric])}</strong> : seedSummaryText(row.entry.result.mean[metric]) : row.entry.failure ? 'failed' : '…'}
                  {row.base ? <span className="hint">{relativeChangeText(row.change[metric])}</span> : null}
                </td>
              ))}
              <td>
                <button
                  type="button"
                  data-testid="demo-table-view"
                  disabled={busy || row.entry.result === null || row.entry.modelId === viewedModelId}
                  title={row.entry.modelId === viewedModelId ? 'These maps are on the scan now' : 'Make this the current model and put its score map on the scan'}
                  onClick={() => void viewDemoTableRow(row.entry.modelId)}
                >
                  {row.entry.modelId === viewedModelId ? 'shown' : 'View maps'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {running && table.progress.total > 0 && (
        <ProgressBar value={table.progress.done} max={table.progress.total} label="table: reconstructions" testId="demo-table-progress" detail={table.message} />
      )}
      {!running && table.message && <p className="hint">{table.message}</p>}
      {[...table.rowFailures, ...table.entries.filter((e) => e.failure !== null).map((e) => `${e.origin}: ${e.failure}`)].map((failure) => (
        <p key={failure} className="hint warn" data-testid="demo-table-failure">
          {failure}
        </p>
      ))}
      <p className="hint" data-testid="demo-table-note">
        DICE / AUPRC / AUROC in %, mean ± std over {seedsText(table.seedCount)} ({table.rowsDone} of {table.entries.length} rows done; a row shows numbers after its
        first seed, then settles), the best of each column in bold. Each model at the paper&apos;s setting (pDDPM: l1 score at noise level {PAPER_PROTOCOL.noiseLevel.pddpm}; -IQA: FQ
        score at {PAPER_PROTOCOL.noiseLevel.pddpmIqa}); the threshold is the reference&apos;s search on the {cases(table.validationLesionCases, 'validation')} with
        lesions, never on the test cases; maps eroded and median-filtered as the reference does; means over the test cases. Thresh needs no model: the AIR-transformed
        scan is its anomaly map. As <code>fqlab evaluate --seeds {table.seedCount}</code> would report it, for these {cases(table.caseIds.length, 'validation and test')}.
      </p>
    </div>
  );
}
