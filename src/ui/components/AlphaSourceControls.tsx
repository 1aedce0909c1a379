// Where the FQ alpha comes from (fixed, or chosen on the lesion validation cases over a grid) and which structural term FQ blends; says which alpha was chosen.
import type { AlphaChoice, AlphaSource, ScoreKind, StructuralTerm } from '../../../workers/api.ts';
import { setScoreOptions } from '../actions/analysisActions.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { ChoiceField, type Choice } from './ChoiceField.tsx';

const SOURCES: Choice<AlphaSource>[] = [
  { value: 'fixed', label: 'fixed (the slider; paper 0.84)' },
  { value: 'val-dice', label: 'best pooled Dice on validation' },
  { value: 'val-auprc', label: 'best AUPRC on validation' },
];

/** The structural terms, named for people. */
export const STRUCTURAL_LABELS: Record<StructuralTerm, string> = {
  ssim: 'SSIM loss (paper)',
  'ms-ssim': 'MS-SSIM loss',
  gmsd: 'GMS loss (GMSD)',
};

const STRUCTURAL_CHOICES: Choice<StructuralTerm>[] = Object.entries(STRUCTURAL_LABELS).map(([value, label]) => ({ value: value as StructuralTerm, label }));

/** What the panel says about the alpha scored: the chosen one with its objective, or why none was chosen. */
export function alphaChoiceText(choice: AlphaChoice | undefined, source: AlphaSource, score: ScoreKind): string {
  if (score !== 'fq') return `alpha does not change the ${score} map`;
  if (!choice || choice.source !== source) return 'chosen after inference, on the validation cases with lesions';
  if (choice.note) return choice.note;
  const at = choice.grid?.indexOf(choice.value) ?? -1;
  const objective = at >= 0 ? choice.objective?.[at] : null;
  const what = source === 'val-dice' ? 'pooled Dice' : 'mean AUPRC';
  return `chosen alpha ${choice.value} (${what} ${objective == null ? '–' : objective.toFixed(3)} on validation, best of ${choice.grid?.length ?? 0})`;
}

export function AlphaSourceControls() {
  const alphaSource = useAnalysisStore((s) => s.alphaSource);
  const structural = useAnalysisStore((s) => s.structural);
  const score = useAnalysisStore((s) => s.score);
  const choice = useAnalysisStore((s) => s.evaluation?.alphaChoice);
  return (
    <div className="form-grid">
      <ChoiceField label="alpha" testId="alpha-source" wide value={alphaSource} choices={SOURCES} onChange={(alphaSource) => setScoreOptions({ alphaSource })} />
      <ChoiceField label="structural term" testId="structural-term" wide value={structural} choices={STRUCTURAL_CHOICES} onChange={(structural) => setScoreOptions({ structural })} />
      {alphaSource !== 'fixed' && (
        <p className="hint wide" data-testid="alpha-chosen">
          {alphaChoiceText(choice, alphaSource, score)}
        </p>
      )}
    </div>
  );
}
