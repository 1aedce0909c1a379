// The results strip above the viewer: alpha and noise level beside mean DICE / AUPRC / AUROC and the threshold with its source.
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { Summary, ThresholdSource } from '../../../workers/api.ts';
import { setAlpha } from '../actions/analysisActions.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { percent } from '../format.ts';
import { STRUCTURAL_LABELS } from './AlphaSourceControls.tsx';
import { NoiseLevelInput } from './AnalysisPanel.tsx';

const { alphaRange: ALPHA_RANGE, fqAlpha: PAPER_ALPHA } = PAPER_PROTOCOL;

const SOURCE_WORDS: Record<ThresholdSource, string> = {
  'validation-search': 'validation search',
  'exact-best-dice': 'exact best Dice on validation',
  'fpr-target': 'FPR target',
  manual: 'set by hand',
};

function mean(s: Summary | undefined): string {
  return s === undefined || s.mean === null ? '–' : percent(s.mean);
}

export function ResultsStrip() {
  const sliderAlpha = useAnalysisStore((s) => s.alpha);
  const alphaSource = useAnalysisStore((s) => s.alphaSource);
  const structural = STRUCTURAL_LABELS[useAnalysisStore((s) => s.structural)].replace(/ \(.*\)$/, '');
  const evaluation = useAnalysisStore((s) => s.evaluation);
  // A chosen alpha is shown as the study scored it; the slider only sets a fixed one.
  const chosen = alphaSource !== 'fixed' && evaluation?.alphaChoice.source === alphaSource ? evaluation.alphaChoice.value : null;
  const alpha = chosen ?? sliderAlpha;
  const scoring = useAnalysisStore((s) => s.scoring);
  const threshold = evaluation?.threshold;
  return (
    <section className={scoring ? 'results-strip updating' : 'results-strip'} aria-label="Results" data-testid="results-strip">
      <label className="slider-field strip-alpha">
        <span>
          alpha ({structural} weight) <output className="mono">{alpha.toFixed(2)}</output>
        </span>
        <input
          type="range"
          min={ALPHA_RANGE.min}
          max={ALPHA_RANGE.max}
          step={0.01}
          value={alpha}
          data-testid="alpha-slider"
          disabled={alphaSource !== 'fixed'}
          aria-valuetext={`alpha ${alpha.toFixed(2)}${alpha === 0 ? ' (plain l1)' : ''}`}
          onChange={(e) => setAlpha(Number(e.target.value))}
        />
        <span className="hint">
          {alphaSource === 'fixed' ? `0 = l1 only · ${PAPER_ALPHA} = paper · 1 = ${structural} only` : `chosen on the validation cases (${alphaSource})`}
        </span>
      </label>
      <div className="strip-noise">
        <NoiseLevelInput />
      </div>
      <dl className="strip-metrics" title={evaluation ? `means over ${evaluation.meanOver ?? 'no lesion cases'}, in %` : 'after inference'}>
        <div>
          <dt>DICE</dt>
          <dd data-testid="strip-dice">{mean(evaluation?.mean.dice)}</dd>
        </div>
        <div>
          <dt>AUPRC</dt>
          <dd data-testid="strip-auprc">{mean(evaluation?.mean.auprc)}</dd>
        </div>
        <div>
          <dt>AUROC</dt>
          <dd data-testid="strip-auroc">{mean(evaluation?.mean.auroc)}</dd>
        </div>
        <div>
          <dt>threshold</dt>
          <dd data-testid="strip-threshold">
            {threshold ? `${threshold.value === null ? 'none' : threshold.value.toPrecision(3)} · ${SOURCE_WORDS[threshold.source]}` : '–'}
          </dd>
        </div>
      </dl>
      <p className="hint strip-note">{evaluation ? `means over ${evaluation.meanOver ?? 'no lesion cases'} cases, in %` : 'Metrics appear after inference.'}</p>
      {evaluation && evaluation.notReconstructed.length > 0 && (
        <p className="hint strip-note" data-testid="strip-not-reconstructed">
          {evaluation.notReconstructed.length} validation/test case{evaluation.notReconstructed.length === 1 ? '' : 's'} not reconstructed at
          this noise level and seed ({evaluation.notReconstructed.join(', ')}): left out of the threshold and the means until Run inference
          reconstructs {evaluation.notReconstructed.length === 1 ? 'it' : 'them'}.
        </p>
      )}
    </section>
  );
}
