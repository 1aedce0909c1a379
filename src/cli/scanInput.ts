// The CLI's scan inputs: a file of any format fqlab reads, or a folder whose files are one DICOM series (via dcm2niix).
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FqlabError } from '../core/errors.ts';
import { convertDicomSeries } from '../formats/dicomSeries.ts';
import { nodeScanReaders } from '../formats/readers.node.ts';
import type { ScanImage, SeriesFile } from '../formats/readerTypes.ts';
import { readScanFile } from '../formats/readScan.ts';
import { DICOM_PREAMBLE_BYTES, hasDicomPreamble, isDicomCandidate, scanFormatOf } from '../formats/scanFiles.ts';
import { NIFTI_FILE } from '../core/inputLimits.ts';
import { readInputFile, readVolumeFile } from './io.ts';

function readBytes(path: string): Uint8Array {
  return readInputFile(path, NIFTI_FILE);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    throw new FqlabError('bad-argument', path, 'no such file or folder; check the path.');
  }
}

function startsLikeDicom(path: string): boolean {
  const head = new Uint8Array(DICOM_PREAMBLE_BYTES);
  const fd = openSync(path, 'r');
  try {
    return hasDicomPreamble(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
  } finally {
    closeSync(fd);
  }
}

/**
 * The files directly in a folder that may be DICOM (DICOM extension or none), as the browser groups a dropped folder;
 * none unless one of them starts like a DICOM file.
 */
export function dicomFilesIn(folder: string): string[] {
  const candidates = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && scanFormatOf(entry.name) === null && isDicomCandidate(entry.name))
    .map((entry) => join(folder, entry.name))
    .sort();
  return candidates.some(startsLikeDicom) ? candidates : [];
}

/** Reads a folder's DICOM files for `loadDicomSeries` / `convertDicomSeries`. */
export function readSeriesFiles(folder: string): SeriesFile[] {
  return dicomFilesIn(folder).map((path) => ({ path, bytes: readBytes(path) }));
}

/**
 * One volume from a path: a NIfTI, MetaImage, NRRD or MGH/MGZ file, or a folder holding one DICOM series.
 * @example
 * const { volume } = await readScanInput('patient07/T2_dicom');
 */
export async function readScanInput(path: string): Promise<ScanImage> {
  if (!isFolder(path)) {
    if (scanFormatOf(path) !== 'nifti') return readScanFile(path, readBytes(path), nodeScanReaders);
    const { volume, header } = readVolumeFile(path);
    return { volume, datatypeName: header.datatypeName, source: 'nifti' };
  }
  const files = readSeriesFiles(path);
  if (files.length === 0) {
    throw new FqlabError('not-dicom', path, 'is a folder without DICOM files directly in it; give the folder of one DICOM series, or a scan file.');
  }
  const series = await convertDicomSeries(path, files, nodeScanReaders);
  if (series.length > 1) {
    throw new FqlabError('bad-argument', path,
      `holds ${series.length} DICOM series (${series.map((s) => s.fileName).join(', ')}); give a folder with only the series to use.`);
  }
  return series[0].image;
}
