// "How this works": what the controls do, in the words of the mode (demo or own data); open on the first visit,
// folded from then on (remembered in this browser), and reopened by its title.
import { useState } from 'react';
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import { useDemoStore } from '../stores/demoStore.ts';
import { useStorageStore } from '../stores/storageStore.ts';
import { demoAutoStart } from './demoSettings.ts';

/** Set on the first visit: later visits open the page with the help folded. */
const SEEN_KEY = 'fqlab.howThisWorksSeen';

/** Whether an earlier visit showed the help, read once per page (StrictMode renders twice); this visit is remembered. */
let seenOnEarlierVisit: boolean | null = null;

function seenBefore(): boolean {
  if (seenOnEarlierVisit !== null) return seenOnEarlierVisit;
  try {
    seenOnEarlierVisit = globalThis.localStorage?.getItem(SEEN_KEY) === '1';
    globalThis.localStorage?.setItem(SEEN_KEY, '1');
  } catch {
    seenOnEarlierVisit = false; // storage disabled (private mode): the help opens on every visit
  }
  return seenOnEarlierVisit;
}

/** The help's first line in the page's mode. */
function introFor(mode: 'demo' | 'restored' | 'replaced' | 'empty'): string {
  const steps =
    'Drop your scans, check the split of each case (healthy-train, validation, test), train a model or load a checkpoint under Model, then Run inference under Analysis.';
  switch (mode) {
    case 'demo':
      return 'The demo opens by itself with the pDDPM-IQA model and scores the first test case, then the rest in the background.';
    case 'restored':
      return `Your workspace from the last visit is back (the demo stays closed). ${steps}`;
    case 'replaced':
      return `Your own files replaced the demo. ${steps}`;
    case 'empty':
      return `This workbench opened empty (?demo=off): ${steps}`;
  }
}

export function FirstRunHint() {
  const [open, setOpen] = useState(() => !seenBefore());
  // ?demo=off opens an empty workbench, a restored workspace keeps the demo closed, and dropped files close it: the
  // help then speaks about the user's own data, not the demo.
  const restored = useStorageStore((s) => s.restored);
  const demoClosed = useDemoStore((s) => s.phase === 'closed');
  const mode = restored ? 'restored' : !demoAutoStart() ? 'empty' : demoClosed ? 'replaced' : 'demo';
  const demo = mode === 'demo';
  // The real-scan tracks carry their own notice (real lesions, credits) in the demo bar.
  const syntheticTrack = useDemoStore((s) => (s.track ?? s.wantedTrack) === 'synthetic');
  return (
    <details
      className="first-run-hint"
      data-testid="first-run-hint"
      aria-label="How to use the workbench"
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
    >
      <summary className="first-run-head" data-testid="hint-toggle">
        <strong>How this works</strong>
        {!open && <span className="first-run-folded">click to open</span>}
      </summary>
      <p data-testid="hint-intro">
        A diffusion model trained only on healthy brains noises each scan and reconstructs it; what it cannot reconstruct is anomalous.{' '}
        {introFor(mode)}
      </p>
      <ul>
        <li>
          <b>Overlay</b> (above the viewer): the map over the scan — FQ (the paper's score), SSIM loss, l1 or the reconstruction; tick{' '}
          <i>prediction</i> for the thresholded map and <i>ground truth</i> for the lesion outline.
        </li>
        <li>
          <b>alpha</b> slider (above the viewer, beside the metrics): weight of the SSIM loss in the FQ map; 0 is the plain l1 baseline, {PAPER_PROTOCOL.fqAlpha}
          the paper's value. Moving it rescores the cached reconstructions (no new reconstruction; seconds for a whole study on a CPU).
        </li>
        <li>
          <b>noise level</b>: how much noise goes in before reconstruction ({PAPER_PROTOCOL.noiseLevel.pddpmIqa} for pDDPM-IQA, {PAPER_PROTOCOL.noiseLevel.pddpm} for pDDPM); changing it reconstructs again.
        </li>
        <li>
          <b>threshold source</b>: where the Dice threshold comes from — searched on validation cases (default), exact best Dice on validation, a
          false-positive-rate target, or set by hand. AUPRC and AUROC need no threshold.
        </li>
        <li>
          <b>Sweeps</b>: Dice and AUPRC over a grid of alphas and noise levels; click a cell to apply it.
        </li>
        <li>
          <b>Your own data</b>: drop NIfTI, MHA, NRRD or MGZ files or DICOM folders anywhere ({demo ? 'they replace the demo and ' : ''}never leave
          this machine), then train under <b>Model</b>; files, cases, settings and the model are kept in this browser across reloads.
          {demo ? (
            <>
              {' '}
              Open the page as <code>?demo=off</code> to start empty.
            </>
          ) : null}
        </li>
      </ul>
      {demo && syntheticTrack && (
        <p className="first-run-synthetic">
          The demo anomalies are synthetic: simulated stroke-like lesions inserted into healthy brain templates. Colin27 and ICBM 2009 templates
          courtesy of the Montreal Neurological Institute; simulated lesion maps from MRIcron (C. Rorden).
        </p>
      )}
      <button type="button" data-testid="hint-dismiss" onClick={() => setOpen(false)}>
        Got it (fold)
      </button>
    </details>
  );
}
