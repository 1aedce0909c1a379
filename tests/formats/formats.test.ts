// Tests the format readers against one synthetic scan written as NIfTI, DICOM (pydicom), MHA, NRRD and MGZ by scripts/fixtures/formats.py.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../src/core/nifti/index.ts';
import { convertDicomSeries } from '../../src/formats/dicomSeries.ts';
import { nodeScanReaders } from '../../src/formats/readers.node.ts';
import { readScanFile } from '../../src/formats/readScan.ts';
import { detachedHeaderAdvice, hasDicomPreamble, isDicomCandidate, scanFormatOf, scanStem } from '../../src/formats/scanFiles.ts';
import { expectSameScan } from '../support/sameScan.ts';

const dir = new URL('../fixtures/formats/', import.meta.url);
const fixture = (name: string): Uint8Array => readFileSync(new URL(name, dir));
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as {
  dims: number[];
  affine: number[];
  obliqueAffine: number[];
  min: number;
  max: number;
  sum: number;
};
const reference = readNifti(fixture('scan.nii.gz'), 'scan.nii.gz').volume;
const dicomFiles = () => readdirSync(new URL('dicom/', dir)).map((name) => ({ path: `dicom/${name}`, bytes: fixture(`dicom/${name}`) }));

function expectAffine(actual: Float64Array, wanted: readonly number[], toleranceMm = 1e-4): void {
  for (let n = 0; n < 16; n++) expect(Math.abs(actual[n] - wanted[n]), `affine element ${n}`).toBeLessThan(toleranceMm);
}

describe('the reference NIfTI', () => {
  it('is the scan expected.json describes', () => {
    expect(reference.dims).toEqual(expected.dims);
    expectAffine(reference.affine, expected.affine);
    expect(reference.data.reduce((a, b) => a + b, 0)).toBe(expected.sum);
  });
});

describe('DICOM series (dcm2niix WASM)', () => {
  it('converts the pydicom series to the voxels (after RescaleSlope/Intercept) and world grid of the NIfTI it came from', async () => {
    const series = await convertDicomSeries('dicom', dicomFiles(), nodeScanReaders);
    expect(series.map((s) => s.fileName)).toEqual(['dicom/3_T2_synthetic']);
    const { volume, datatypeName, source } = series[0].image;
    expect({ datatypeName, source }).toEqual({ datatypeName: 'int16', source: 'dicom' });
    expectSameScan(volume, reference);
  });

  it('gives the same volume whatever order the files come in', async () => {
    const forward = await convertDicomSeries('dicom', dicomFiles(), nodeScanReaders);
    const backward = await convertDicomSeries('dicom', dicomFiles().reverse(), nodeScanReaders);
    expect(backward[0].image.volume.data).toEqual(forward[0].image.volume.data);
    expect(backward[0].image.volume.affine).toEqual(forward[0].image.volume.affine);
  });

  it('refuses files that hold no DICOM series with dcm2niix\'s reason and leaves process.exitCode alone', async () => {
    const exitCode = process.exitCode;
    const files = [{ path: 'notes/readme', bytes: new TextEncoder().encode('not an image') }, { path: 'notes/scan.mha', bytes: fixture('scan.mha') }];
    const error = await convertDicomSeries('notes', files, nodeScanReaders).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'not-dicom', fileName: 'notes' });
    expect((error as Error).message).toMatch(/no DICOM image series .*2 files.*Unable to find any DICOM images.*convert it to NIfTI/);
    expect(process.exitCode).toBe(exitCode);
  });

  it('refuses a folder with no files', async () => {
    await expect(convertDicomSeries('empty', [], nodeScanReaders)).rejects.toMatchObject({ code: 'not-dicom', fileName: 'empty' });
  });
});

describe('MetaImage, NRRD and MGZ (itk-wasm)', () => {
  it.each([
    ['scan.mha', 'metaimage'],
    ['scan.nrrd', 'nrrd'],
    ['scan.mgz', 'mgh'],
  ])('%s reads to the NIfTI conversion\'s voxels and affine', async (name, source) => {
    const scan = await readScanFile(name, fixture(name), nodeScanReaders);
    expect(scan.source).toBe(source);
    expect(scan.datatypeName).toBe('int16');
    expect(scan.volume.dims).toEqual(reference.dims);
    expectAffine(scan.volume.affine, Array.from(reference.affine));
    expect(scan.volume.data).toEqual(reference.data);
    expect(scan.volume.spacing.map((s) => +s.toFixed(6))).toEqual([1.25, 1.5, 2.5]);
  });

  it('keeps an oblique NRRD\'s direction matrix (row-major from itk-wasm, LPS turned to RAS)', async () => {
    const scan = await readScanFile('scan-oblique.nrrd', fixture('scan-oblique.nrrd'), nodeScanReaders);
    expectAffine(scan.volume.affine, expected.obliqueAffine, 1e-5);
    expect(scan.volume.data).toEqual(reference.data);
  });

  it('refuses a cut-off MHA with ITK\'s reason, naming the file', async () => {
    const cut = fixture('scan.mha').subarray(0, 2000);
    const error = await readScanFile('brats.mha', cut, nodeScanReaders).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unreadable-image', fileName: 'brats.mha' });
    expect((error as Error).message).toMatch(/cannot be read as MetaImage \(ITK: .*data not read completely.*\); check that the file is complete/);
  });

  it('refuses a file its extension misnames', async () => {
    const error = await readScanFile('scan.nrrd', fixture('scan.mha'), nodeScanReaders).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unreadable-image', fileName: 'scan.nrrd' });
    expect((error as Error).message).toMatch(/NRRD reader does not recognise it/);
  });

  it('refuses detached headers and unknown files with what to do', async () => {
    await expect(readScanFile('scan.mhd', new Uint8Array(10), nodeScanReaders)).rejects.toThrow(/separate data file.*one \.mha file/);
    await expect(readScanFile('notes.txt', new Uint8Array(10), nodeScanReaders)).rejects.toThrow(/not a scan file fqlab reads.*DICOM/);
    await expect(readScanFile('scan.mha', fixture('scan.mha'), null)).rejects.toThrow(/needs the MetaImage reader.*convert it to NIfTI/);
  });
});

describe('scan file names', () => {
  it('tells formats and stems from names', () => {
    expect(['a.nii', 'a.nii.gz', 'a.MHA', 'a.nrrd', 'a.mgz', 'a.mgh', 'a.mgh.gz', 'a.mhd', 'a.dcm'].map(scanFormatOf)).toEqual([
      'nifti', 'nifti', 'metaimage', 'nrrd', 'mgh', 'mgh', 'mgh', null, null,
    ]);
    expect(['d/sub01_T2.nii.gz', 'x\\brats.mha', 'orig.mgz', 'IM0001'].map(scanStem)).toEqual(['sub01_T2', 'brats', 'orig', 'IM0001']);
    expect(detachedHeaderAdvice('a.nhdr')).toMatch(/one \.nrrd file/);
    expect(detachedHeaderAdvice('a.nrrd')).toBeNull();
  });

  it('takes files with a DICOM extension or none as DICOM candidates, and checks the DICM marker', () => {
    expect(['IM0001', 'slice-01.dcm', '1.3.12.2.1107.5.2', 'x.IMA', 'notes.txt', 'scan.json', '.DS_Store'].map(isDicomCandidate)).toEqual([
      true, true, true, true, false, false, false,
    ]);
    expect(hasDicomPreamble(fixture('dicom/slice-01.dcm'))).toBe(true);
    expect(hasDicomPreamble(fixture('scan.mha'))).toBe(false);
  });
});
