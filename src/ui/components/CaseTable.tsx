// The cases built from the files: split counts, search and bulk split, then per case modality, split, brain mask, segmentation and status.
import { useState, type Dispatch, type SetStateAction } from 'react';
import { DATA_SPLITS, MODALITIES, type DataSplit, type Modality } from '../../../workers/api.ts';
import { editCase, editCases } from '../actions/dataActions.ts';
import { caseMatches, splitCounts } from '../stores/caseListView.ts';
import { registerAndSkullStrip, saveRegisteredMask } from '../actions/registrationActions.ts';
import { useDataStore, type CaseEntry } from '../stores/dataStore.ts';
import { useRegistrationStore } from '../stores/registrationStore.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { TrainingSlices } from './TrainingSlices.tsx';

const STAGE_NAMES = { preparing: 'preparing', rigid: 'rigid', affine: 'affine' } as const;

/** Registration to the template for a case without a brain mask: the button, its progress, then what it found. */
function RegistrationControls({ caseId, hasMask }: { caseId: string; hasMask: boolean }) {
  const running = useRegistrationStore((s) => s.running[caseId]);
  const outcome = useRegistrationStore((s) => s.outcomes[caseId]);
  if (running) return <ProgressBar value={running.done} max={running.total} label="registering to the template" detail={STAGE_NAMES[running.stage]} testId="registration-progress" />;
  if (outcome && hasMask) {
    const template = outcome.template === 'head' ? 'skull-on' : 'skull-stripped';
    return (
      <div className="case-facts" data-testid="registration-outcome">
        brain mask from the {template} MNI template ({outcome.templateReason}); {outcome.seconds.toFixed(0)} s{' '}
        <button type="button" className="link" data-testid="save-registered-mask" onClick={() => saveRegisteredMask(caseId)}>
          save brain mask
        </button>
      </div>
    );
  }
  if (hasMask) return null;
  return (
    <div className="case-actions">
      <button type="button" data-testid="register-button" onClick={() => void registerAndSkullStrip(caseId)}
        title="No brain mask: register the scan to the MNI template (rigid, then affine) and use the template's brain mask, warped onto this scan">
        register and skull-strip
      </button>
    </div>
  );
}

/** The search text and the picked cases, shared by the tools above the list and the cards' checkboxes. */
interface CaseListSelection {
  query: string;
  picked: ReadonlySet<string>;
}

/** Split counts, the search box and the bulk split of the picked cases shown. */
function CaseListTools({ cases, shown, pickedShown, query, setSelection }: {
  cases: readonly CaseEntry[];
  shown: readonly string[];
  pickedShown: readonly string[];
  query: string;
  setSelection: Dispatch<SetStateAction<CaseListSelection>>;
}) {
  const counts = splitCounts(cases);
  return (
    <div className="case-tools">
      <div className="split-counts" data-testid="split-counts">
        {DATA_SPLITS.map((split) => (
          <span key={split}>
            {split} <strong>{counts[split]}</strong>
          </span>
        ))}
      </div>
      <input
        type="search"
        data-testid="case-search"
        placeholder="search cases (id, split, modality, file)"
        aria-label="Search cases"
        value={query}
        onChange={(e) => setSelection((s) => ({ ...s, query: e.target.value }))}
      />
      <div className="button-row">
        <label className="inline check">
          <input
            type="checkbox"
            data-testid="case-pick-all"
            aria-label="Select every case shown"
            checked={shown.length > 0 && pickedShown.length === shown.length}
            onChange={(e) => setSelection((s) => ({ ...s, picked: new Set(e.target.checked ? shown : []) }))}
          />
          {pickedShown.length} of {shown.length} shown selected
        </label>
        <select data-testid="bulk-split" aria-label="Split for the selected cases" disabled={pickedShown.length === 0}
          value="" onChange={(e) => {
            editCases(pickedShown, { split: e.target.value as DataSplit });
            setSelection((s) => ({ ...s, picked: new Set() }));
          }}>
          <option value="" disabled>set split…</option>
          {DATA_SPLITS.map((split) => (
            <option key={split} value={split}>
              {split}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

export function CaseTable() {
  const cases = useDataStore((s) => s.cases);
  const files = useDataStore((s) => s.files);
  const [{ query, picked }, setSelection] = useState<CaseListSelection>({ query: '', picked: new Set() });
  if (cases.length === 0) return null;
  const shown = cases.filter((c) => caseMatches(c, query, files)).map((c) => c.spec.caseId);
  const pickedShown = shown.filter((id) => picked.has(id));
  const togglePicked = (caseId: string) =>
    setSelection((s) => {
      const next = new Set(s.picked);
      if (!next.delete(caseId)) next.add(caseId);
      return { ...s, picked: next };
    });
  const masks = files.filter((f) => f.role === 'brain-mask');
  const segs = files.filter((f) => f.role === 'segmentation');
  const hasValidation = cases.some((c) => c.spec.split === 'validation');
  const hasLesions = cases.some((c) => c.spec.segFileId !== undefined);
  return (
    <>
      <CaseListTools cases={cases} shown={shown} pickedShown={pickedShown} query={query} setSelection={setSelection} />
      <div className="case-list" data-testid="case-list">
        {cases.filter((c) => caseMatches(c, query, files)).map(({ spec, status, info, error, definedAs }) => (
          <div key={spec.caseId} className={`case-card status-${status}`} data-case-id={spec.caseId}>
            <div className="case-head">
              <label className="inline check">
                <input type="checkbox" data-testid="case-pick" aria-label={`Select ${spec.caseId}`} checked={picked.has(spec.caseId)} onChange={() => togglePicked(spec.caseId)} />
                <strong>{spec.caseId}</strong>
              </label>
              <span className={`badge badge-${status}`} data-testid="case-status">
                {status === 'conforming' ? 'conforming…' : status}
              </span>
            </div>
            <div className="case-grid">
              <label>
                modality
                <select value={spec.modality} onChange={(e) => editCase(spec.caseId, { modality: e.target.value as Modality })}>
                  {MODALITIES.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </label>
              <label>
                split
                <select data-testid="split-select" value={spec.split} onChange={(e) => editCase(spec.caseId, { split: e.target.value as DataSplit })}>
                  {DATA_SPLITS.map((split) => (
                    <option key={split} value={split}>
                      {split}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                brain mask
                <select value={spec.brainMaskFileId ?? ''} onChange={(e) => editCase(spec.caseId, { brainMaskFileId: e.target.value || undefined })}>
                  <option value="">image &gt; 0</option>
                  {masks.map((m) => (
                    <option key={m.fileId} value={m.fileId}>
                      {m.fileName}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                segmentation
                <select value={spec.segFileId ?? ''} onChange={(e) => editCase(spec.caseId, { segFileId: e.target.value || undefined })}>
                  <option value="">none</option>
                  {segs.map((m) => (
                    <option key={m.fileId} value={m.fileId}>
                      {m.fileName}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            {info && (
              <div className="case-facts">
                brain mean {info.meanBrainIntensity.toFixed(3)} · {info.brainVoxels.toLocaleString()} brain voxels
                {info.hasSegmentation ? ' · lesions' : ''}
              </div>
            )}
            {info && status === 'ready' && spec.split === 'healthy-train' && (
              <TrainingSlices caseId={spec.caseId} hasSegmentation={info.hasSegmentation} version={definedAs ?? ''} />
            )}
            {!spec.conformed && (
            <label className="inline check" title="Register the scan to the MNI template (rigid, then affine) and conform it there, as the reference does with every scan; exported maps still come back on the scan's own grid">
              <input type="checkbox" data-testid="template-space-toggle" checked={spec.registered === true} onChange={(e) => editCase(spec.caseId, { registered: e.target.checked || undefined })} />
              conform in MNI space
            </label>
            )}
            <RegistrationControls caseId={spec.caseId} hasMask={spec.brainMaskFileId !== undefined} />
            {error && <div className="case-error">{error}</div>}
          </div>
        ))}
      </div>
      {hasLesions && !hasValidation && (
        <p className="hint warn">No validation case: thresholds are chosen on validation volumes, so set one lesion case to “validation”.</p>
      )}
    </>
  );
}
