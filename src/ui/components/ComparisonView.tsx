// Comparison view: several models (any methods) scored on the same cases at their own settings; DICE / AUPRC / AUROC mean ± std over seeds, best marked, "+IQA" beside its base; two rows' maps side by side.
import { useRef } from 'react';
import { SCORE_KINDS, type ScoreKind } from '../../../workers/api.ts';
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import {
  addCheckpointFileToComparison,
  addCurrentModelToComparison,
  comparisonBlocker,
  removeFromComparison,
  runComparison,
  setComparisonSettings,
} from '../actions/comparisonActions.ts';
import { COMPARISON_METRICS, comparisonRows, relativeChangeText, rowLabel, seedSummaryText, type ComparisonRow } from '../comparisonTable.ts';
import { useComparisonStore } from '../stores/comparisonStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { ChoiceField, type Choice } from './ChoiceField.tsx';
import { NumberField } from './NumberField.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { SideBySideMaps } from './SideBySideMaps.tsx';

const METRIC_LABELS = { dice: 'DICE', auprc: 'AUPRC', auroc: 'AUROC' } as const;

const SCORE_CHOICES: Choice<ScoreKind>[] = SCORE_KINDS.map((kind) => ({ value: kind, label: kind }));

function ComparisonTableRow({ row, label, busy }: { row: ComparisonRow; label: string; busy: boolean }) {
  const { entry } = row;
  const { info } = entry;
  return (
    <tr data-testid="comparison-row" data-model-id={entry.modelId} className={row.iqa ? 'iqa' : undefined}>
      <th scope="row" title={entry.origin}>
        {row.iqa && row.base ? '+IQA' : label}
        <div className="hint">
          {info.preset}, {info.loss === 'fq' ? `FQ loss α=${info.alpha}` : 'l1 loss'}, AIR {info.airApplied ? 'on' : 'off'}, step {info.step}
        </div>
      </th>
      <td>
        <NumberField
          label=""
          value={entry.noiseLevel}
          min={PAPER_PROTOCOL.noiseLevel.min}
          max={PAPER_PROTOCOL.noiseLevel.max}
          step={50}
          integer
          disabled={busy}
          onChange={(noiseLevel) => setComparisonSettings(entry.modelId, { noiseLevel })}
        />
      </td>
      <td>
        <ChoiceField
          label=""
          ariaLabel="score"
          value={entry.score}
          choices={SCORE_CHOICES}
          disabled={busy || info.method === 'thresh'}
          onChange={(score) => setComparisonSettings(entry.modelId, { score })}
        />
      </td>
      <td>
        <NumberField
          label=""
          value={entry.alpha}
          min={PAPER_PROTOCOL.alphaRange.min}
          max={PAPER_PROTOCOL.alphaRange.max}
          step={0.01}
          disabled={busy || entry.score !== 'fq'}
          onChange={(alpha) => setComparisonSettings(entry.modelId, { alpha })}
        />
      </td>
      {COMPARISON_METRICS.map((metric) => (
        <td key={metric} data-testid={`comparison-${metric}`} className={row.best[metric] ? 'best' : undefined} title={row.best[metric] ? 'best in this column' : undefined}>
          {entry.result ? (row.best[metric] ? <strong>{seedSummaryText(entry.result.mean[metric])}</strong> : seedSummaryText(entry.result.mean[metric])) : entry.failure ? '' : '–'}
          {row.base ? <span className="hint">{relativeChangeText(row.change[metric])}</span> : null}
        </td>
      ))}
      <td>
        <button type="button" disabled={busy} aria-label={`Remove ${entry.origin} from the comparison`} onClick={() => void removeFromComparison(entry.modelId)}>
          Remove
        </button>
      </td>
    </tr>
  );
}

export function ComparisonView() {
  const entries = useComparisonStore((s) => s.entries);
  const seedCount = useComparisonStore((s) => s.seedCount);
  const progress = useComparisonStore((s) => s.progress);
  const setComparison = useComparisonStore((s) => s.set);
  const model = useModelStore((s) => s.model);
  const methods = useModelStore((s) => s.methods);
  const training = useModelStore((s) => s.status !== 'idle');
  // Re-render when cases change so the blocker message is current.
  useDataStore((s) => s.cases);
  const inputRef = useRef<HTMLInputElement>(null);
  const busy = progress !== null;
  const blocker = comparisonBlocker();
  const rows = comparisonRows(entries, methods?.map((m) => m.name) ?? []);
  const labelOf = (row: ComparisonRow) => rowLabel(row.entry, methods ?? []);
  const failures = entries.filter((e) => e.failure !== null);

  return (
    <div className="stack comparison" data-testid="comparison">
      <div className="button-row">
        <button type="button" data-testid="compare-add-current" disabled={!model || training || busy || entries.some((e) => e.modelId === model.modelId)} onClick={() => void addCurrentModelToComparison()}>
          Add current model
        </button>
        <button type="button" disabled={busy} onClick={() => inputRef.current?.click()}>
          Add checkpoint file…
        </button>
        <input
          ref={inputRef}
          type="file"
          hidden
          data-testid="compare-checkpoint-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void addCheckpointFileToComparison(file);
          }}
        />
        <NumberField label="seeds" testId="compare-seeds" value={seedCount} min={1} max={20} step={1} integer disabled={busy} onChange={(n) => setComparison({ seedCount: n })} />
        <button type="button" className="primary" data-testid="compare-run" disabled={busy || training || blocker !== null} onClick={() => void runComparison()}>
          Compare
        </button>
      </div>
      {blocker && <p className="hint">{blocker}</p>}
      {progress && <ProgressBar value={progress.done} max={progress.total} label="compared" testId="compare-progress" />}
      {rows.length > 0 && (
        <table className="metric-table comparison-table" data-testid="comparison-table">
          <thead>
            <tr>
              <th scope="col">method</th>
              <th scope="col">noise level</th>
              <th scope="col">score</th>
              <th scope="col">α</th>
              {COMPARISON_METRICS.map((metric) => (
                <th scope="col" key={metric}>
                  {METRIC_LABELS[metric]}
                </th>
              ))}
              <th scope="col" aria-label="remove" />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <ComparisonTableRow key={row.entry.modelId} row={row} label={labelOf(row)} busy={busy} />
            ))}
          </tbody>
        </table>
      )}
      {rows.length > 1 && <SideBySideMaps entries={rows.map((row) => row.entry)} labelOf={(entry) => rowLabel(entry, methods ?? [])} />}
      {failures.map((e) => (
        <p key={e.modelId} className="hint warn" data-testid="comparison-failure">
          {e.origin}: {e.failure}
        </p>
      ))}
      <p className="hint">
        Every model is scored on the same validation and test cases, at {seedCount === 1 ? 'seed 0' : `seeds 0 to ${seedCount - 1}`} (as fqlab evaluate --seeds {seedCount}), with the threshold from the
        reference's search on the validation cases; values in %, mean ± std over seeds, the best of each column in bold. “+IQA” (FQ loss and FQ score) follows its
        method without IQA, with the relative change. Noise level matters to the diffusion methods only.
      </p>
    </div>
  );
}
