// Where NIfTI files come in: drop many .nii/.nii.gz at once, or pick them with the file chooser.
import { useRef, useState, type DragEvent } from 'react';
import { addFiles } from '../actions/dataActions.ts';

export function DropZone() {
  const inputRef = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    event.stopPropagation();
    setOver(false);
    const files = [...event.dataTransfer.files];
    if (files.length > 0) void addFiles(files);
  };

  return (
    <div
      className={over ? 'drop-zone over' : 'drop-zone'}
      data-testid="drop-zone"
      onDragEnter={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p>
        Drop NIfTI files here (<code>.nii</code>, <code>.nii.gz</code>): scans, brain masks, segmentations.
      </p>
      <button type="button" onClick={() => inputRef.current?.click()}>
        Choose files…
      </button>
      <input
        ref={inputRef}
        type="file"
        multiple
        accept=".nii,.gz,.nii.gz"
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length > 0) void addFiles(files);
        }}
      />
    </div>
  );
}
