// Analysis panel: score kind, threshold source and "Run inference"; also the noise-level input that the results strip shows.
import { useEffect, useState } from 'react';
import { noiseLevelProblem, PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { ScoreKind } from '../../../workers/api.ts';
import { inferenceBlocker, runInference, scoreOverSeeds, setNoiseLevel, setScoreOptions } from '../actions/analysisActions.ts';
import { jumpToFirstLesion } from '../actions/resultsJump.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { AlphaSourceControls } from './AlphaSourceControls.tsx';
import { ThresholdControls } from './ThresholdControls.tsx';

/** Noise-level edits commit after a short pause in typing (or at once on Enter/blur): each commit can mean a new reconstruction. */
const NOISE_COMMIT_DELAY_MS = 600;
const { noiseLevel: NOISE_LEVELS } = PAPER_PROTOCOL;

/** Shown in the results strip above the viewer, beside alpha. */
export function NoiseLevelInput() {
  const noiseLevel = useAnalysisStore((s) => s.noiseLevel);
  const [text, setText] = useState(String(noiseLevel));
  const [shown, setShown] = useState(noiseLevel);
  if (shown !== noiseLevel) {
    // The store moved (e.g. a sweep cell was clicked): show its value.
    setShown(noiseLevel);
    setText(String(noiseLevel));
  }
  const parsed = Number(text);
  const problem = noiseLevelProblem(parsed);
  const valid = problem === null;
  useEffect(() => {
    if (!valid || parsed === noiseLevel) return;
    const timer = setTimeout(() => setNoiseLevel(parsed), NOISE_COMMIT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [valid, parsed, noiseLevel]);
  const commit = () => {
    if (valid && parsed !== noiseLevel) setNoiseLevel(parsed);
  };
  return (
    <label>
      noise level ({NOISE_LEVELS.min}–{NOISE_LEVELS.max})
      <input
        type="number"
        min={NOISE_LEVELS.min}
        max={NOISE_LEVELS.max}
        step={25}
        value={text}
        data-testid="noise-level-input"
        aria-invalid={!valid}
        title={valid ? `Test noise level t + 1; the paper uses ${NOISE_LEVELS.pddpmIqa} for pDDPM-IQA and ${NOISE_LEVELS.pddpm} for pDDPM` : `the noise level ${problem}`}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </label>
  );
}

/** Mean ± std over seeds, as the CLI reports: how many seeds, and the button (the result shows under the metrics). */
function SeedControls() {
  const seedCount = useAnalysisStore((s) => s.seedCount);
  const seedProgress = useAnalysisStore((s) => s.seedProgress);
  const done = useAnalysisStore((s) => s.reconstruction.status === 'done');
  return (
    <div className="button-row">
      <label>
        seeds
        <input
          type="number"
          min={1}
          max={10}
          step={1}
          value={seedCount}
          data-testid="seed-count"
          onChange={(e) => useAnalysisStore.getState().set({ seedCount: Math.min(10, Math.max(1, Math.round(Number(e.target.value)) || 1)) })}
        />
      </label>
      <button type="button" data-testid="score-seeds" disabled={!done || seedProgress !== null} onClick={() => void scoreOverSeeds()}>
        {seedProgress ? `seeds: ${Math.round((100 * seedProgress.done) / Math.max(1, seedProgress.total))} %` : 'mean ± std over seeds'}
      </button>
    </div>
  );
}

export function AnalysisPanel() {
  const score = useAnalysisStore((s) => s.score);
  const reconstruction = useAnalysisStore((s) => s.reconstruction);
  const scoring = useAnalysisStore((s) => s.scoring);
  const stale = useAnalysisStore((s) => s.stale);
  // Subscribe so the blocker message follows the data and the model.
  useDataStore((s) => s.cases);
  useModelStore((s) => s.model);
  useModelStore((s) => s.status);
  const blocker = inferenceBlocker();
  const running = reconstruction.status === 'running';

  return (
    <div className="stack">
      <p className="hint">Alpha and the noise level sit above the viewer, beside the metrics.</p>
      <div className="form-grid">
        <label>
          score
          <select value={score} onChange={(e) => setScoreOptions({ score: e.target.value as ScoreKind })}>
            <option value="fq">FQ map</option>
            <option value="l1">l1 map</option>
            <option value="ssim">SSIM-loss map</option>
          </select>
        </label>
      </div>
      <AlphaSourceControls />
      <ThresholdControls />
      <SeedControls />
      <div className="button-row">
        <button type="button" className="primary" data-testid="run-inference" disabled={blocker !== null || running} onClick={() => void runInference().then(jumpToFirstLesion)}>
          {running ? 'Reconstructing…' : 'Run inference'}
        </button>
        {scoring && <span className="hint">scoring…</span>}
      </div>
      {blocker && <p className="hint">{blocker}</p>}
      {stale && !running && <p className="hint warn">Cases or model changed since the last run: run inference again.</p>}
      {running && (
        <ProgressBar
          value={reconstruction.done}
          max={reconstruction.total}
          label={`reconstructing at noise level ${reconstruction.noiseLevel ?? ''}: slice`}
          testId="reconstruct-progress"
        />
      )}
    </div>
  );
}
