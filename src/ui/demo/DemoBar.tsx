// The demo strip above the viewer: what its data is (synthetic anomalies, or real scans with credits), its status and progress, its track and model, and the paper's table on its test set.
import { stopForegroundJob } from '../actions/cancellation.ts';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { demoDataLoaded, useDemoStore, type DemoModelId, type DemoTrackId } from '../stores/demoStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { useSweepStore } from '../stores/sweepStore.ts';
import { runDemo } from './demoPipeline.ts';
import { DEMO_MODELS, DEMO_TRACKS } from './demoSettings.ts';
import { DemoTable } from './DemoTable.tsx';
import { RealScansNotice } from './RealScansNotice.tsx';

const DEFAULT_ATTRIBUTION = 'Colin27 and ICBM 2009 templates courtesy of the Montreal Neurological Institute; simulated lesion maps from MRIcron (C. Rorden).';

/** Says in so many words that the demo lesions are not real; shown whenever demo volumes are in the workbench. */
export function SyntheticNotice({ attribution }: { attribution: string }) {
  return (
    <p className="demo-synthetic" data-testid="synthetic-notice">
      <strong>Demo data: the anomalies are synthetic.</strong> Every lesion is a simulated stroke-like lesion map inserted into a healthy brain
      template by a script; there is no patient data here, and these scores say nothing about how the method does on real pathology.{' '}
      <span className="demo-attribution">{attribution || DEFAULT_ATTRIBUTION}</span>
    </p>
  );
}

export function DemoBar() {
  const demo = useDemoStore();
  // The demo swaps the model: not while the user's own training, reconstruction or sweep uses it.
  const training = useModelStore((s) => s.status !== 'idle');
  const reconstructing = useAnalysisStore((s) => s.reconstruction.status === 'running');
  const sweeping = useSweepStore((s) => s.running);
  const busy = training || reconstructing || sweeping;
  const hasModel = useModelStore((s) => s.model !== null);
  if (demo.phase === 'off') return null;
  const running = demo.phase === 'running';
  // With the user's own model loaded, going back is the model choice (it replaces their model), not "resume".
  const canResume = (demo.phase === 'paused' || demo.phase === 'failed') && !busy && (demo.modelId !== null || !hasModel);
  const modelChoice: DemoModelId | '' = demo.modelId ?? '';

  return (
    <section className="demo-bar" aria-label="Demo">
      {demoDataLoaded(demo) && demo.realTrack && <RealScansNotice info={demo.realTrack} />}
      {demoDataLoaded(demo) && !demo.realTrack && (demo.track ?? demo.wantedTrack) === 'synthetic' && <SyntheticNotice attribution={demo.attribution} />}
      <div className="demo-status-row">
        <span className="demo-status" data-testid="demo-status" role="status" aria-live="polite">
          {demo.step}
        </span>
        {demo.phase !== 'closed' && (
          <div className="demo-actions">
            <label className="inline">
              demo track
              <select
                data-testid="demo-track-select"
                value={demo.wantedTrack}
                disabled={demo.phase === 'stopping' || busy}
                title="Synthetic lesions in healthy templates, or real T2 / FLAIR scans with real lesions (each with its own two checkpoints)"
                onChange={(e) => void runDemo(demo.wantedModelId, e.target.value as DemoTrackId)}
              >
                {Object.values(DEMO_TRACKS).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.label}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline">
              demo model
              <select
                data-testid="demo-model-select"
                value={modelChoice}
                disabled={demo.phase === 'stopping' || busy}
                title="Switch between the two shipped checkpoints (paper settings for each: noise level and anomaly score)"
                onChange={(e) => void runDemo(e.target.value as DemoModelId)}
              >
                {modelChoice === '' && <option value="">your own model</option>}
                {Object.values(DEMO_MODELS).map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.label}
                  </option>
                ))}
              </select>
            </label>
            {running && (
              <button type="button" onClick={() => void stopForegroundJob('you stopped it')}>
                Stop demo
              </button>
            )}
            {canResume && (
              <button type="button" data-testid="demo-resume" onClick={() => void runDemo()}>
                Resume demo
              </button>
            )}
          </div>
        )}
      </div>
      {(running || demo.phase === 'stopping') && demo.slicesTotal > 0 && (
        <ProgressBar value={demo.slicesDone} max={demo.slicesTotal} label="demo: slices reconstructed" testId="demo-progress" detail={`${demo.loadedCases}/${demo.totalCases} cases loaded`} />
      )}
      {demo.phase !== 'closed' && demoDataLoaded(demo) && <DemoTable />}
    </section>
  );
}
