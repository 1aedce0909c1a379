// Turns a drop or a file/folder chooser into files with their paths, walking dropped folders (DICOM series come as folders).

/** A file the user gave, with its path inside a dropped or chosen folder ("T2_dicom/IM0001"), or just its name. */
export interface PickedFile {
  file: File;
  path: string;
}

/** Files from an <input type="file">; a folder chooser (webkitdirectory) gives each file its relative path. */
export function pickedFromFileList(files: Iterable<File>): PickedFile[] {
  return [...files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every entry of a folder (readEntries answers in batches until it returns none). */
async function folderEntries(folder: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = folder.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, into: PickedFile[]): Promise<void> {
  const path = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) {
    into.push({ file: await fileOf(entry as FileSystemFileEntry), path });
  } else if (entry.isDirectory) {
    for (const child of await folderEntries(entry as FileSystemDirectoryEntry)) await walk(child, into);
  }
}

/**
 * The files of a drop, dropped folders walked recursively. Call it inside the drop handler: the browser hands out the
 * entries only while the event is being dispatched (they are taken synchronously, then read).
 */
export function filesFromDrop(transfer: DataTransfer): Promise<PickedFile[]> {
  const items = [...transfer.items].filter((item) => item.kind === 'file');
  const roots = items.map((item) => ({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() }));
  return (async () => {
    const picked: PickedFile[] = [];
    for (const { entry, file } of roots) {
      if (entry) await walk(entry, picked);
      else if (file) picked.push({ file, path: file.name }); // a drop made by script has no file-system entries
    }
    return picked;
  })();
}
