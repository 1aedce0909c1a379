// Which scan formats fqlab reads, told apart by file name: NIfTI, MetaImage, NRRD, MGH/MGZ, and DICOM series.

/** A single-file format (DICOM comes as a series of files, see `isDicomCandidate`). */
export type ScanFileFormat = 'nifti' | 'metaimage' | 'nrrd' | 'mgh';

/** Where a loaded volume came from: one of the single-file formats or a DICOM series (via dcm2niix). */
export type ScanSource = ScanFileFormat | 'dicom';

const FORMAT_BY_SUFFIX: readonly [RegExp, ScanFileFormat][] = [
  [/\.nii(\.gz)?$/i, 'nifti'],
  [/\.mha$/i, 'metaimage'],
  [/\.nrrd$/i, 'nrrd'],
  [/\.(mgh|mgz|mgh\.gz)$/i, 'mgh'],
];

/** Headers whose voxels live in another file: one dropped file cannot be read, so they are refused with advice. */
const DETACHED_HEADER = /\.(mhd|nhdr)$/i;

/** Every suffix fqlab strips from a scan's name (outputs are named after their input). */
const SCAN_SUFFIX = /\.(nii(\.gz)?|mha|mhd|nrrd|nhdr|mgh(\.gz)?|mgz)$/i;

/** DICOM files carry these extensions, or none at all (e.g. "IM0001", "1.3.12.2.1107..."). */
const DICOM_SUFFIX = /\.(dcm|dicom|ima)$/i;

/** For the file chooser's accept attribute. */
export const SCAN_FILE_ACCEPT = '.nii,.gz,.nii.gz,.mha,.nrrd,.mgh,.mgz,.dcm,.ima';

/** In words, for messages: what a user may drop or pass. */
export const SCAN_FORMATS_IN_WORDS = 'NIfTI (.nii, .nii.gz), MetaImage (.mha), NRRD (.nrrd), MGH (.mgh, .mgz) or a folder of DICOM files';

/** The single-file format a name says, or null (DICOM files and everything else). */
export function scanFormatOf(fileName: string): ScanFileFormat | null {
  return FORMAT_BY_SUFFIX.find(([suffix]) => suffix.test(fileName))?.[1] ?? null;
}

/** Why a name that looks like a scan cannot be read on its own, or null when nothing is wrong with the name. */
export function detachedHeaderAdvice(fileName: string): string | null {
  if (!DETACHED_HEADER.test(fileName)) return null;
  const single = /\.mhd$/i.test(fileName) ? '.mha' : '.nrrd';
  return `is a header whose voxels live in a separate data file, which fqlab does not follow; save the image as one ${single} ` +
    `file (e.g. in 3D Slicer, or SimpleITK.WriteImage(SimpleITK.ReadImage(path), "scan${single}")) or as NIfTI.`;
}

/** Whether a file on its own could be part of a DICOM series: a DICOM extension or no extension at all. */
export function isDicomCandidate(fileName: string): boolean {
  const last = fileName.split(/[\\/]/).pop() ?? fileName;
  if (last.startsWith('.')) return false; // .DS_Store and friends
  return DICOM_SUFFIX.test(last) || !/\.[A-Za-z][A-Za-z0-9]{0,4}$/.test(last);
}

/** Bytes to look at for `hasDicomPreamble`. */
export const DICOM_PREAMBLE_BYTES = 132;

/**
 * Whether bytes start like a DICOM Part 10 file ("DICM" after the 128-byte preamble). A folder counts as a DICOM
 * series when one of its files does, so a stray README without extension never sends a folder to dcm2niix.
 */
export function hasDicomPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= DICOM_PREAMBLE_BYTES && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** "dir/sub01_T2.nii.gz" -> "sub01_T2", "scan.mgz" -> "scan" (folders and any scan suffix dropped; / and \ separate folders). */
export function scanStem(fileName: string): string {
  const last = fileName.split(/[\\/]/).pop() ?? fileName;
  return last.replace(SCAN_SUFFIX, '');
}
