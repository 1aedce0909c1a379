// Tests the worker with the Node format readers: DICOM series and MHA in, exports back on the input's own grid as NIfTI.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../src/core/nifti/index.ts';
import { nodeScanReaders } from '../../src/formats/readers.node.ts';
import { exposedApi } from '../../workers/exposedApi.ts';
import { Session } from '../../src/session/session.ts';

const dir = new URL('../fixtures/formats/', import.meta.url);
const fixture = (name: string): Uint8Array => readFileSync(new URL(name, dir));
const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;
const dicomFiles = () => readdirSync(new URL('dicom/', dir)).map((name) => ({ path: `T2_dicom/${name}`, bytes: fixture(`dicom/${name}`) }));

describe('Session with the format readers', () => {
  it('loads a DICOM series as one volume and exports maps on the series\' own grid', async () => {
    const worker = new Session({ scanReaders: nodeScanReaders });
    const [info] = await worker.loadDicomSeries('T2_dicom', dicomFiles());
    expect(info).toMatchObject({ fileId: 'f1', fileName: 'T2_dicom/3_T2_synthetic', source: 'dicom', dims: [16, 12, 8], orientation: 'LAS', datatypeName: 'int16' });
    const input = worker.files.get(info.fileId, 'image').image.volume;
    await worker.defineCase({ caseId: 'dicom', imageFileId: info.fileId, modality: 'T2', split: 'test' });
    const exported = await worker.exportLayer({ caseId: 'dicom', layer: 'brain-mask' });
    expect(exported.fileName).toBe('3_T2_synthetic_brain-mask.nii.gz');
    const back = readNifti(exported.bytes, exported.fileName).volume;
    expect(back.dims).toEqual(input.dims);
    expect(Array.from(back.affine)).toEqual(Array.from(input.affine).map(Math.fround));
  });

  it('restores exactly the outputs it is given ids for', async () => {
    const worker = new Session({ scanReaders: nodeScanReaders });
    const [restored] = await worker.loadDicomSeries('T2_dicom', dicomFiles(), { 'T2_dicom/3_T2_synthetic': 'f9' });
    expect(restored.fileId).toBe('f9');
    expect(await worker.loadDicomSeries('T2_dicom', dicomFiles(), {})).toEqual([]);
  });

  it('loads an MHA with its format and names exports after it', async () => {
    const worker = new Session({ scanReaders: nodeScanReaders });
    const info = await worker.loadFile('BraTS_HG0001_flair.mha', buffer(fixture('scan.mha')));
    expect(info).toMatchObject({ source: 'metaimage', dims: [16, 12, 8], orientation: 'LPS', datatypeName: 'int16', min: 4, max: 1214 });
    await worker.defineCase({ caseId: 'brats', imageFileId: info.fileId, modality: 'FLAIR', split: 'test' });
    expect((await worker.exportLayer({ caseId: 'brats', layer: 'image' })).fileName).toBe('BraTS_HG0001_flair_image.nii.gz');
  });

  it('refuses other formats with advice when it has no readers, and bad series through the comlink wrapper', async () => {
    const bare = exposedApi(new Session());
    await expect(bare.loadFile('scan.nrrd', buffer(fixture('scan.nrrd')))).rejects.toMatchObject({ code: 'unreadable-image', fileName: 'scan.nrrd' });
    await expect(bare.loadDicomSeries('T2_dicom', dicomFiles())).rejects.toMatchObject({ code: 'not-dicom', fileName: 'T2_dicom' });
    const api = exposedApi(new Session({ scanReaders: nodeScanReaders }));
    const notDicom = [{ path: 'docs/readme', bytes: new TextEncoder().encode('hello') }];
    await expect(api.loadDicomSeries('docs', notDicom)).rejects.toMatchObject({ code: 'not-dicom', fileName: 'docs' });
  });
});
