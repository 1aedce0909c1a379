// Where scans come in: drop files or folders (NIfTI, MHA, NRRD, MGZ, DICOM series), or pick files or a DICOM folder.
import { useRef, useState, type DragEvent } from 'react';
import { SCAN_FILE_ACCEPT } from '../../formats/scanFiles.ts';
import { addFiles } from '../actions/dataActions.ts';
import { filesFromDrop, pickedFromFileList } from '../actions/droppedFiles.ts';

export function DropZone() {
  const inputRef = useRef<HTMLInputElement>(null);
  const folderInputRef = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    event.stopPropagation();
    setOver(false);
    void filesFromDrop(event.dataTransfer).then(addFiles);
  };

  const onPicked = (input: HTMLInputElement) => {
    const picked = pickedFromFileList(input.files ?? []);
    input.value = '';
    void addFiles(picked);
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
        Drop scans here: NIfTI (<code>.nii</code>, <code>.nii.gz</code>), <code>.mha</code>, <code>.nrrd</code>, <code>.mgz</code> files or
        folders of DICOM files, with brain masks and segmentations.
      </p>
      <div className="button-row">
        <button type="button" onClick={() => inputRef.current?.click()}>
          Choose files…
        </button>
        <button type="button" onClick={() => folderInputRef.current?.click()}>
          Choose a DICOM folder…
        </button>
      </div>
      <input ref={inputRef} type="file" multiple accept={SCAN_FILE_ACCEPT} hidden data-testid="file-input" onChange={(e) => onPicked(e.target)} />
      <input
        // webkitdirectory (not in React's types): the chooser picks a folder and gives each file its relative path.
        ref={(input) => {
          folderInputRef.current = input;
          input?.setAttribute('webkitdirectory', '');
        }}
        type="file"
        hidden
        data-testid="folder-input"
        onChange={(e) => onPicked(e.target)}
      />
    </div>
  );
}
