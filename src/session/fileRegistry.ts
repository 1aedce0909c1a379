// The session's loaded volumes: read once (by src/formats), kept with their header facts under a file id.
import { FqlabError } from '../core/errors.ts';
import { orientationCode } from '../core/nifti/index.ts';
import type { ScanImage } from '../formats/readerTypes.ts';
import type { ScanSource } from '../formats/scanFiles.ts';
import type { Dims3 } from '../core/volume.ts';

/** One loaded volume (header facts only; the voxels stay in the session). */
export interface LoadedFileInfo {
  fileId: string;
  fileName: string;
  /** The format it was read from ('dicom': a series converted by dcm2niix). */
  source: ScanSource;
  dims: Dims3;
  spacing: readonly [number, number, number];
  orientation: string;
  datatypeName: string;
  min: number;
  max: number;
}

export interface LoadedFile {
  info: LoadedFileInfo;
  image: ScanImage;
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

  /** Registers a volume read from `fileName`, under `fileId` or a fresh id. */
  add(fileName: string, image: ScanImage, fileId?: string): LoadedFileInfo {
    const id = fileId ?? this.freshId();
    const { volume } = image;
    const info: LoadedFileInfo = {
      fileId: id,
      fileName,
      source: image.source,
      dims: volume.dims,
      spacing: volume.spacing,
      orientation: orientationCode(volume.affine),
      datatypeName: image.datatypeName,
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
