// Where the binarisation threshold comes from: validation search, exact best Dice, an FPR target on healthy volumes, or manual.
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { ThresholdSource } from '../../../workers/api.ts';
import { setScoreOptions } from '../actions/analysisActions.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { NumberField } from './NumberField.tsx';

const SOURCES: { value: ThresholdSource; label: string }[] = [
  { value: 'validation-search', label: 'validation search (reference)' },
  { value: 'exact-best-dice', label: 'exact best Dice on validation' },
  { value: 'fpr-target', label: 'FPR target on healthy volumes' },
  { value: 'manual', label: 'manual' },
];

export function ThresholdControls() {
  const source = useAnalysisStore((s) => s.thresholdSource);
  const fprTarget = useAnalysisStore((s) => s.fprTarget);
  const manualThreshold = useAnalysisStore((s) => s.manualThreshold);
  return (
    <div className="form-grid">
      <label className="wide">
        threshold
        <select data-testid="threshold-source" value={source} onChange={(e) => setScoreOptions({ thresholdSource: e.target.value as ThresholdSource })}>
          {SOURCES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      {source === 'fpr-target' && (
        <label>
          FPR
          <select value={fprTarget} onChange={(e) => setScoreOptions({ fprTarget: Number(e.target.value) })}>
            {PAPER_PROTOCOL.threshold.fprTargets.map((target) => (
              <option key={target} value={target}>
                {target * 100} %
              </option>
            ))}
          </select>
        </label>
      )}
      {source === 'manual' && (
        <NumberField label="value" value={manualThreshold} min={0} max={1e6} step={0.005} onChange={(manual) => setScoreOptions({ manualThreshold: manual })} />
      )}
    </div>
  );
}
