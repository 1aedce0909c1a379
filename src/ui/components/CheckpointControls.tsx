// Checkpoints: download/upload as a file, and keep named copies in this browser's IndexedDB.
import { useCallback, useEffect, useRef, useState } from 'react';
import { downloadCheckpoint, loadCheckpointFile, restoreCheckpoint, storeCheckpoint } from '../actions/modelActions.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { deleteCheckpoint, listCheckpoints, type StoredCheckpoint } from '../storage/checkpointDb.ts';

type StoredSummary = Omit<StoredCheckpoint, 'bytes'>;

export function CheckpointControls() {
  const model = useModelStore((s) => s.model);
  const busy = useModelStore((s) => s.status !== 'idle');
  const inputRef = useRef<HTMLInputElement>(null);
  const [stored, setStored] = useState<StoredSummary[]>([]);
  const [selected, setSelected] = useState('');

  const refresh = useCallback(
    () =>
      listCheckpoints().then(
        (list) => {
          setStored(list);
          setSelected((current) => (list.some((c) => c.name === current) ? current : (list[0]?.name ?? '')));
        },
        (error: unknown) => useErrorStore.getState().report('', `Browser storage is unavailable (${String(error)}); use checkpoint files instead.`),
      ),
    [],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const storeNow = async () => {
    if (!model) return;
    const name = `${model.method}-${model.preset}-${model.loss}-step${model.step}-${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
    if (await storeCheckpoint(name)) await refresh();
  };

  return (
    <div className="stack checkpoint">
      <div className="button-row">
        <button type="button" disabled={!model || busy} onClick={() => void downloadCheckpoint()} data-testid="checkpoint-download">
          Save checkpoint file
        </button>
        <button type="button" disabled={busy} onClick={() => inputRef.current?.click()}>
          Load checkpoint file…
        </button>
        <input
          ref={inputRef}
          type="file"
          hidden
          data-testid="checkpoint-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void loadCheckpointFile(file);
          }}
        />
      </div>
      <div className="button-row">
        <button type="button" disabled={!model || busy} onClick={() => void storeNow()}>
          Keep in this browser
        </button>
      </div>
      <div className="button-row">
        <select aria-label="Checkpoints kept in this browser" value={selected} onChange={(e) => setSelected(e.target.value)} disabled={stored.length === 0}>
          {stored.length === 0 && <option value="">none kept yet</option>}
          {stored.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        <button type="button" disabled={selected === '' || busy} onClick={() => void restoreCheckpoint(selected)}>
          Load
        </button>
        <button
          type="button"
          disabled={selected === ''}
          onClick={() => void deleteCheckpoint(selected).then(refresh)}
          aria-label={`Delete stored checkpoint ${selected}`}
        >
          Delete
        </button>
      </div>
    </div>
  );
}
