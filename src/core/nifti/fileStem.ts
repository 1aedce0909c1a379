// The stem of a NIfTI file name, used to name outputs after their inputs and to match files by subject.

/** "dir/sub01_T2.nii.gz" -> "sub01_T2" (folders and .nii / .nii.gz dropped; both / and \ separate folders). */
export function niftiStem(fileName: string): string {
  const last = fileName.split(/[\\/]/).pop() ?? fileName;
  return last.replace(/\.nii(\.gz)?$/i, '');
}
