// Data panel: drop zone, file list with roles, and the cases with their split.
import { CaseTable } from './CaseTable.tsx';
import { DropZone } from './DropZone.tsx';
import { FileList } from './FileList.tsx';

export function DataPanel() {
  return (
    <div className="stack">
      <DropZone />
      <FileList />
      <CaseTable />
    </div>
  );
}
