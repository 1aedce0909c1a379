// The worker's loaded NIfTI files: parsed once, kept with their header facts, refused with a WorkerError when bad.
import { FqlabError } from '../src/core/errors.ts';
import { orientationCode, readNifti, type NiftiImage } from '../src/core/nifti/index.ts';
import type { LoadedFileInfo } from './api.ts';

export interface LoadedFile {
  info: LoadedFileInfo;
  image: NiftiImage;
}

function range(data: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return data.length > 0 ? { min, max } : { min: 0, max: 0 };
}

/** Files by id; ids are "f1", "f2", ... unless the caller restores an old one. */
export class FileRegistry {
  private readonly files = new Map<string, LoadedFile>();
  private nextId = 1;

  /** Parses and registers a file; a parse error leaves the registry as it was. */
  load(fileName: string, bytes: Uint8Array, fileId?: string): LoadedFileInfo {
    const image = readNifti(bytes, fileName);
    const id = fileId ?? this.freshId();
    const { volume, header } = image;
    const info: LoadedFileInfo = {
      fileId: id,
      fileName,
      dims: volume.dims,
      spacing: volume.spacing,
      orientation: orientationCode(volume.affine),
      datatypeName: header.datatypeName,
      ...range(volume.data),
    };
    this.files.set(id, { info, image });
    return info;
  }

  private freshId(): string {
    while (this.files.has(`f${this.nextId}`)) this.nextId++;
    return `f${this.nextId++}`;
  }

  /** The file, or an error naming the id and what to do. */
  get(fileId: string, role: string): LoadedFile {
    const file = this.files.get(fileId);
    if (!file) throw new FqlabError('bad-argument', fileId, `no loaded file with this id for the ${role}; load the file first.`);
    return file;
  }

  delete(fileId: string): void {
    this.files.delete(fileId);
  }
}
