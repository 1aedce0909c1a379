// What this browser keeps for the workbench (files, the autosaved model, compared models, kept checkpoints) and a button that clears it all.
import { useEffect } from 'react';
import { clearEverythingStored, refreshStorageSummary } from '../storage/persistence.ts';
import { formatBytes } from '../format.ts';
import { useStorageStore } from '../stores/storageStore.ts';

export function StoragePanel() {
  const summary = useStorageStore((s) => s.summary);
  const active = useStorageStore((s) => s.active);
  const notKept = useStorageStore((s) => s.notKept);
  const pendingWrites = useStorageStore((s) => s.pendingWrites);

  useEffect(() => {
    if (pendingWrites === 0) void refreshStorageSummary();
  }, [pendingWrites]);

  const total = summary ? summary.fileBytes + summary.modelBytes + summary.comparedBytes + summary.checkpointBytes : 0;
  return (
    <div className="stack">
      <p className="hint" data-testid="storage-summary">
        {summary === null
          ? 'Reading what is stored…'
          : `${formatBytes(total)} stored in this browser: ${summary.files} files (${formatBytes(summary.fileBytes)}), ` +
            `${summary.modelBytes > 0 ? `the current model (${formatBytes(summary.modelBytes)})` : 'no model'}, ` +
            `${summary.comparedModels} compared models (${formatBytes(summary.comparedBytes)}), ` +
            `${summary.checkpoints} kept checkpoints (${formatBytes(summary.checkpointBytes)}).`}
      </p>
      <p className="hint">
        {active
          ? 'Files, cases, settings, the model and the compared models are kept here (this machine only) and come back after a reload; training autosaves.'
          : 'This page keeps nothing more in this browser until it is reloaded.'}
      </p>
      {notKept.length > 0 && (
        <p className="hint warning" data-testid="storage-not-kept">
          Not kept (DICOM series; drop them again after a reload): {notKept.join(', ')}
        </p>
      )}
      <div className="button-row">
        <button type="button" data-testid="clear-storage" disabled={summary === null || total === 0} onClick={() => void clearEverythingStored()}>
          Clear everything stored ({formatBytes(total)})
        </button>
      </div>
    </div>
  );
}
