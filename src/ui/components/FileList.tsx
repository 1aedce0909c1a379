// The loaded files with their grid facts and an editable role; refused files stay listed with the reason. Folded when long.
import type { ScanSource } from '../../formats/scanFiles.ts';
import type { VolumeRole } from '../../../workers/api.ts';
import { removeFile, setFileRole } from '../actions/dataActions.ts';
import { FILE_LIST_OPEN_MAX } from '../stores/caseListView.ts';
import { useDataStore } from '../stores/dataStore.ts';

const ROLE_LABELS: Record<VolumeRole, string> = { image: 'image', 'brain-mask': 'brain mask', segmentation: 'segmentation' };
const SOURCE_LABELS: Record<ScanSource, string> = {
  nifti: 'NIfTI',
  metaimage: 'MetaImage (ITK)',
  nrrd: 'NRRD (ITK)',
  mgh: 'MGH/MGZ (ITK)',
  dicom: 'DICOM series (dcm2niix)',
};

function formatDims(dims: readonly number[]): string {
  return dims.join('×');
}

export function FileList() {
  const files = useDataStore((s) => s.files);
  const rejected = useDataStore((s) => s.rejected);
  const loading = useDataStore((s) => s.loading);
  const dismissRejected = useDataStore((s) => s.dismissRejected);
  if (files.length + rejected.length + loading.length === 0) {
    return <p className="hint">No files yet. Everything you open is read in this tab only.</p>;
  }
  const roleCounts = (Object.keys(ROLE_LABELS) as VolumeRole[])
    .map((role) => [ROLE_LABELS[role], files.filter((f) => f.role === role).length] as const)
    .filter(([, count]) => count > 0)
    .map(([label, count]) => `${count} ${label}${count === 1 ? '' : 's'}`);
  return (
    <details className="file-list-fold" open={files.length <= FILE_LIST_OPEN_MAX}>
      <summary data-testid="file-list-summary">
        {files.length} files{roleCounts.length > 0 ? ` (${roleCounts.join(', ')})` : ''}
        {loading.length > 0 ? `, ${loading.length} reading` : ''}
        {rejected.length > 0 ? `, ${rejected.length} refused` : ''}
      </summary>
    <table className="file-list" data-testid="file-list">
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Grid</th>
          <th scope="col">Role</th>
          <th scope="col">
            <span className="sr-only">Remove</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {files.map((f) => (
          <tr key={f.fileId} data-file-name={f.fileName}>
            <td className="file-name" title={`${f.fileName}\n${SOURCE_LABELS[f.info.source]}, ${f.info.datatypeName}, ${f.info.orientation}, range ${f.info.min.toPrecision(4)} … ${f.info.max.toPrecision(4)}`}>
              {f.fileName}
            </td>
            <td className="mono" title={`spacing ${f.info.spacing.map((s) => s.toFixed(2)).join(' × ')} mm`}>
              {formatDims(f.info.dims)}
            </td>
            <td>
              <select
                data-testid="role-select"
                aria-label={`Role of ${f.fileName}`}
                value={f.role}
                onChange={(e) => setFileRole(f.fileId, e.target.value as VolumeRole)}
              >
                {(Object.keys(ROLE_LABELS) as VolumeRole[]).map((role) => (
                  <option key={role} value={role}>
                    {ROLE_LABELS[role]}
                  </option>
                ))}
              </select>
            </td>
            <td>
              <button type="button" className="icon" aria-label={`Remove ${f.fileName}`} title="Remove" onClick={() => void removeFile(f.fileId)}>
                ×
              </button>
            </td>
          </tr>
        ))}
        {loading.map((name) => (
          <tr key={`loading-${name}`} className="loading-row">
            <td className="file-name">{name}</td>
            <td colSpan={3}>reading…</td>
          </tr>
        ))}
        {rejected.map((r) => (
          <tr key={`rejected-${r.fileName}`} className="rejected-row" data-file-name={r.fileName}>
            <td colSpan={3}>
              <div className="file-name">{r.fileName}</div>
              <div className="rejected-reason">refused: {r.message}</div>
            </td>
            <td>
              <button type="button" className="icon" aria-label={`Dismiss ${r.fileName}`} title="Dismiss" onClick={() => dismissRejected(r.fileName)}>
                ×
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </details>
  );
}
