// Where the binarisation threshold comes from: validation search, exact best Dice, an FPR target on healthy volumes, or manual.
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { ThresholdSource } from '../../../workers/api.ts';
import { setScoreOptions } from '../actions/analysisActions.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { ChoiceField, type Choice } from './ChoiceField.tsx';
import { NumberField } from './NumberField.tsx';

const SOURCES: Choice<ThresholdSource>[] = [
  { value: 'validation-search', label: 'validation search (reference)' },
  { value: 'exact-best-dice', label: 'exact best Dice on validation' },
  { value: 'fpr-target', label: 'FPR target on healthy volumes' },
  { value: 'manual', label: 'manual' },
];

const FPR_CHOICES: Choice<number>[] = PAPER_PROTOCOL.threshold.fprTargets.map((target) => ({ value: target, label: `${target * 100} %` }));

export function ThresholdControls() {
  const source = useAnalysisStore((s) => s.thresholdSource);
  const fprTarget = useAnalysisStore((s) => s.fprTarget);
  const manualThreshold = useAnalysisStore((s) => s.manualThreshold);
  return (
    <div className="form-grid">
      <ChoiceField label="threshold" testId="threshold-source" wide value={source} choices={SOURCES} onChange={(thresholdSource) => setScoreOptions({ thresholdSource })} />
      {source === 'fpr-target' && <ChoiceField label="FPR" value={fprTarget} choices={FPR_CHOICES} onChange={(target) => setScoreOptions({ fprTarget: target })} />}
      {source === 'manual' && (
        <NumberField label="value" value={manualThreshold} min={0} max={1e6} step={0.005} onChange={(manual) => setScoreOptions({ manualThreshold: manual })} />
      )}
    </div>
  );
}
