// The cases built from the files: modality, split, brain mask and segmentation per case, and the conform status.
import { DATA_SPLITS, MODALITIES, type DataSplit, type Modality } from '../../../workers/api.ts';
import { editCase } from '../actions/dataActions.ts';
import { registerAndSkullStrip, saveRegisteredMask } from '../actions/registrationActions.ts';
import { useDataStore } from '../stores/dataStore.ts';
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

export function CaseTable() {
  const cases = useDataStore((s) => s.cases);
  const files = useDataStore((s) => s.files);
  if (cases.length === 0) return null;
  const masks = files.filter((f) => f.role === 'brain-mask');
  const segs = files.filter((f) => f.role === 'segmentation');
  const hasValidation = cases.some((c) => c.spec.split === 'validation');
  const hasLesions = cases.some((c) => c.spec.segFileId !== undefined);
  return (
    <>
      <div className="case-list" data-testid="case-list">
        {cases.map(({ spec, status, info, error, definedAs }) => (
          <div key={spec.caseId} className={`case-card status-${status}`} data-case-id={spec.caseId}>
            <div className="case-head">
              <strong>{spec.caseId}</strong>
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
