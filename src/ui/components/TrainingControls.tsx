// Train button, progress with ETA and speed, pause/resume/cancel, and the live loss and validation charts.
import { cancelTraining, pauseTraining, resumeInterruptedTraining, resumeTraining, trainingBlocker, trainModel } from '../actions/modelActions.ts';
import { TrainingCharts } from '../charts/TrainingCharts.tsx';
import { useDataStore } from '../stores/dataStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { formatDuration } from '../format.ts';

export function TrainingControls() {
  const status = useModelStore((s) => s.status);
  const progress = useModelStore((s) => s.progress);
  const config = useModelStore((s) => s.config);
  const interrupted = useModelStore((s) => s.interrupted);
  const autosave = useModelStore((s) => s.autosave);
  // Re-render when cases change so the blocker message is current.
  useDataStore((s) => s.cases);
  const blocker = status === 'idle' ? trainingBlocker(config) : null;
  // Thresh has nothing to learn: the button makes its model at once.
  const trains = useModelStore((s) => s.methods?.find((m) => m.name === (config.method ?? 'pddpm'))?.trains ?? true);

  return (
    <div className="stack">
      <div className="button-row">
        <button type="button" className="primary" data-testid="train-button" disabled={status !== 'idle' || blocker !== null} onClick={() => void trainModel()}>
          {status !== 'idle' ? 'Training…' : trains ? 'Train' : 'Make model (no training)'}
        </button>
        {status === 'training' && (
          <button type="button" data-testid="pause-button" onClick={() => void pauseTraining()}>
            Pause
          </button>
        )}
        {status === 'paused' && (
          <button type="button" data-testid="resume-button" onClick={() => void resumeTraining()}>
            Resume
          </button>
        )}
        {(status === 'training' || status === 'paused') && (
          <button type="button" data-testid="cancel-button" onClick={() => void cancelTraining()}>
            Cancel
          </button>
        )}
      </div>
      {interrupted && status === 'idle' && (
        <div className="resume-offer" data-testid="resume-offer">
          <p>
            Training stopped at step {interrupted.step} of {interrupted.targetSteps} when the page was left; its last autosave is loaded.
          </p>
          <button type="button" className="primary" data-testid="resume-interrupted" disabled={blocker !== null} onClick={() => void resumeInterruptedTraining()}>
            Resume training from step {interrupted.step}
          </button>
        </div>
      )}
      {blocker && <p className="hint">{blocker}</p>}
      {autosave && (
        <p className="hint" data-testid="autosave-status">
          autosaved in this browser at step {autosave.step} of {autosave.targetSteps}
        </p>
      )}
      {(status !== 'idle' || progress) && (
        <ProgressBar
          value={progress?.step ?? 0}
          max={progress?.totalSteps ?? config.steps}
          label={status === 'paused' ? 'paused at step' : status === 'cancelling' ? 'cancelling at step' : 'step'}
          testId="progress-bar"
          exactValue={progress ? String(progress.loss) : undefined}
          detail={
            progress
              ? `${progress.stage !== undefined ? `${progress.stage} · ` : ''}loss ${progress.loss.toFixed(4)}${progress.valLoss !== null ? ` · val ${progress.valLoss.toFixed(4)}` : ''}${progress.slicesPerSecond > 0 ? ` · ${progress.slicesPerSecond.toFixed(progress.slicesPerSecond < 1 ? 2 : 1)} slices/s` : ''}${status === 'training' ? ` · ETA ${formatDuration(progress.etaSeconds)}` : ''}`
              : 'starting…'
          }
        />
      )}
      <TrainingCharts />
    </div>
  );
}
