// File-name helpers for the CLI: the stem of a NIfTI path, used to name outputs after their inputs.
import { basename } from 'node:path';

/** "dir/sub01_T2.nii.gz" -> "sub01_T2". */
export function volumeStem(path: string): string {
  return basename(path).replace(/\.nii(\.gz)?$/i, '');
}
