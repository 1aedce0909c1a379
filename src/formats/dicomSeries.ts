// Converts the DICOM files of a folder with dcm2niix (WASM) and reads each resulting NIfTI with fqlab's own reader.
import { FqlabError } from '../core/errors.ts';
import { readNifti } from '../core/nifti/index.ts';
import type { ScanImage, ScanReaders, SeriesFile } from './readerTypes.ts';

/**
 * dcm2niix's options: uncompressed NIfTI (read at once, never stored), no BIDS sidecar, localizers and derived or 2D
 * images skipped (`-i y`: a brain volume is 3D), outputs named <series number>_<series description>.
 */
export const DCM2NIIX_OPTIONS: readonly string[] = ['-z', 'n', '-b', 'n', '-i', 'y', '-f', '%s_%d'];

const INPUT_DIR = '/dicom';
const OUTPUT_DIR = '/nifti';

/** One volume dcm2niix made from a series, named "<folder>/<series number>_<description>". */
export interface ConvertedSeries {
  fileName: string;
  image: ScanImage;
}

/** dcm2niix's own words about why nothing came out (its last error or warning line). */
function dcm2niixReason(log: readonly string[]): string {
  const said = [...log].reverse().find((line) => /error|warning/i.test(line));
  return said ? said.replace(/\s+/g, ' ').trim() : 'dcm2niix found no image it could convert';
}

/**
 * Runs dcm2niix on the files of one dropped folder (or one set of picked files) and reads every volume it writes.
 * Files go in sorted by path under neutral names, so the browser and the CLI hand dcm2niix the very same input.
 * A folder may hold several series (e.g. T1 and FLAIR of one study): each becomes its own volume.
 * @example
 * const [t2] = await convertDicomSeries('patient07/T2', files, nodeScanReaders);
 */
export async function convertDicomSeries(folderName: string, files: readonly SeriesFile[], readers: ScanReaders): Promise<ConvertedSeries[]> {
  const shownName = folderName || 'the DICOM files';
  if (files.length === 0) {
    throw new FqlabError('not-dicom', shownName, 'holds no files; drop the folder of a DICOM series.');
  }
  const log: string[] = [];
  const dcm2niix = await readers.dcm2niix({ print: (line) => log.push(line), printErr: (line) => log.push(line), noInitialRun: true });
  dcm2niix.FS.mkdir(INPUT_DIR);
  dcm2niix.FS.mkdir(OUTPUT_DIR);
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  sorted.forEach((file, index) => dcm2niix.FS.writeFile(`${INPUT_DIR}/${String(index).padStart(6, '0')}`, file.bytes));
  dcm2niix.callMain(['-o', OUTPUT_DIR, ...DCM2NIIX_OPTIONS, INPUT_DIR]);
  const outputs = dcm2niix.FS.readdir(OUTPUT_DIR).filter((name) => name.endsWith('.nii')).sort();
  if (outputs.length === 0) {
    throw new FqlabError('not-dicom', shownName,
      `holds no DICOM image series that dcm2niix could convert (${files.length} files; dcm2niix: "${dcm2niixReason(log)}"); ` +
      'drop the folder of one 3D DICOM series (localizers and single 2D images are skipped), or convert it to NIfTI first.');
  }
  return outputs.map((output) => {
    const stem = output.replace(/\.nii$/, '');
    const fileName = folderName ? `${folderName}/${stem}` : stem;
    const { volume, header } = readNifti(dcm2niix.FS.readFile(`${OUTPUT_DIR}/${output}`), fileName);
    return { fileName, image: { volume, datatypeName: header.datatypeName, source: 'dicom' } };
  });
}
