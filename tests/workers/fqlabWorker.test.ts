// Tests the worker API object in Node (no Worker): NIfTI loading and refusals, case definition, layers and exports.
import { describe, expect, it } from 'vitest';
import { readNifti, writeNifti } from '../../src/core/nifti/index.ts';
import { conformVolumes, mapToInputGrid } from '../../src/core/conform/index.ts';
import type { Volume } from '../../src/core/volume.ts';
import { exposedApi } from '../../workers/exposedApi.ts';
import { Session } from '../../src/session/session.ts';

function affine(): Float64Array {
  const a = new Float64Array(16);
  a[0] = -1; // LAS-like x flip, so conform has to reorient
  a[5] = 1;
  a[10] = 1.5;
  a[15] = 1;
  a[3] = 40;
  return a;
}

/** A small brain-like volume: an ellipsoid of textured intensities on a 70x80x40 grid. */
function phantom(kind: 'image' | 'mask' | 'seg', dims: readonly [number, number, number] = [70, 80, 40]): Volume {
  const [nx, ny, nz] = dims;
  const data = new Float32Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const r = ((i - nx / 2) / (nx * 0.4)) ** 2 + ((j - ny / 2) / (ny * 0.4)) ** 2 + ((k - nz / 2) / (nz * 0.4)) ** 2;
        const p = i + nx * (j + ny * k);
        const lesion = (i - nx / 2 - 5) ** 2 + (j - ny / 2) ** 2 + (k - nz / 2) ** 2 < 25;
        if (kind === 'image') data[p] = r <= 1 ? 200 + 100 * Math.sin(i / 3) * Math.cos(j / 4) + (lesion ? 400 : 0) : 0;
        if (kind === 'mask') data[p] = r <= 1 ? 1 : 0;
        if (kind === 'seg') data[p] = lesion ? 2 : 0;
      }
    }
  }
  return { dims, data, affine: affine(), spacing: [1, 1, 1.5] };
}

const niftiBuffer = (volume: Volume, datatype: 'float32' | 'uint8' = 'float32', gzip = true): ArrayBuffer =>
  writeNifti(volume, { datatype, gzip }).slice().buffer as ArrayBuffer;

/** Calls through the comlink-facing wrapper and returns what a structured clone of the rejection would carry. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return structuredClone(error);
  }
  throw new Error('expected the call to fail');
}

describe('Session files and cases', () => {
  it('loads a NIfTI written by writeNifti and reports its header facts', async () => {
    const worker = new Session();
    const image = phantom('image');
    const info = await worker.loadFile('sub01_T2.nii.gz', niftiBuffer(image));
    expect(info).toMatchObject({ fileId: 'f1', fileName: 'sub01_T2.nii.gz', dims: [70, 80, 40], orientation: 'LAS', datatypeName: 'float32' });
    expect(info.spacing).toEqual([1, 1, 1.5]);
    expect(info.min).toBe(0);
    expect(info.max).toBe(image.data.reduce((a, b) => Math.max(a, b), -Infinity));
    expect((await worker.loadFile('restored.nii.gz', niftiBuffer(image), 'f7')).fileId).toBe('f7');
  });

  it('refuses a malformed file with code and file name that survive structured cloning, keeping earlier files', async () => {
    const worker = new Session();
    const api = exposedApi(worker);
    const good = await api.loadFile('good.nii.gz', niftiBuffer(phantom('image')));
    const garbage = new Uint8Array(400).fill(7).buffer;
    const error = await rejection(api.loadFile('broken.nii', garbage));
    expect(error).toMatchObject({ code: 'not-nifti', fileName: 'broken.nii' });
    expect((error as { message: string }).message).toMatch(/^broken\.nii: /);

    // A 4D file (two volumes) is refused as such.
    const twoVolumes = writeNifti({ ...phantom('image', [8, 8, 8]) }, { gzip: false });
    const view = new DataView(twoVolumes.buffer, twoVolumes.byteOffset);
    const doubled = new Uint8Array(twoVolumes.length + 8 * 8 * 8 * 4);
    doubled.set(twoVolumes);
    const header = new DataView(doubled.buffer);
    header.setInt16(40, 4, true);
    header.setInt16(48, 2, true);
    expect(view.getInt16(40, true)).toBe(3);
    expect(await rejection(api.loadFile('fmri_4d.nii', doubled.buffer))).toMatchObject({ code: 'multi-volume', fileName: 'fmri_4d.nii' });

    // The good file is still there and usable.
    const info = await api.defineCase({ caseId: 'c1', imageFileId: good.fileId, modality: 'T2', split: 'test' });
    expect(info.caseId).toBe('c1');
  });

  it('defineCase conforms like conformVolumes and reports the AIR statistics', async () => {
    const worker = new Session();
    const image = phantom('image');
    const mask = phantom('mask');
    const seg = phantom('seg');
    const imageId = (await worker.loadFile('s_T1.nii.gz', niftiBuffer(image))).fileId;
    const maskId = (await worker.loadFile('s_brainmask.nii.gz', niftiBuffer(mask, 'uint8'))).fileId;
    const segId = (await worker.loadFile('s_seg.nii.gz', niftiBuffer(seg, 'uint8'))).fileId;
    const info = await worker.defineCase({ caseId: 's', imageFileId: imageId, brainMaskFileId: maskId, segFileId: segId, modality: 'T1', split: 'validation' });
    const reread = (v: Volume, t: 'float32' | 'uint8') => readNifti(new Uint8Array(niftiBuffer(v, t)), 'x').volume;
    const want = conformVolumes({ image: reread(image, 'float32'), brainMask: reread(mask, 'uint8'), seg: reread(seg, 'uint8'), fileName: 's_T1.nii.gz' });
    expect(info).toEqual({
      caseId: 's',
      split: 'validation',
      modality: 'T1',
      hasSegmentation: true,
      meanBrainIntensity: want.stats.meanBrainIntensity,
      brainVoxels: want.stats.brainVoxels,
      airSuggested: want.stats.air.suggested,
      muNormal: want.stats.air.muNormal,
      muAnomalous: want.stats.air.muAnomalous,
      anomalousVoxels: want.seg?.data.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0),
      smoothing: { timeStep: 0.125, iterations: 3 },
    });
    expect(info.muAnomalous).not.toBeNull();

    // Conformed layers come back as NIfTI bytes with the conformed grid and values.
    const layer = await worker.getLayer({ caseId: 's', layer: 'image' });
    const back = readNifti(layer.bytes, layer.fileName).volume;
    expect(back.dims).toEqual([96, 96, 50]);
    expect(Array.from(back.data)).toEqual(Array.from(want.image.data));
    expect(layer.max).toBe(1);
    const segLayer = readNifti((await worker.getLayer({ caseId: 's', layer: 'segmentation' })).bytes, 'seg').volume;
    expect(Array.from(segLayer.data)).toEqual(Array.from(want.seg?.data ?? []));

    // Exports go back to the input grid (mapToInputGrid) as .nii.gz.
    const exported = await worker.exportLayer({ caseId: 's', layer: 'brain-mask' });
    expect(exported.fileName).toBe('s_T1_brain-mask.nii.gz');
    const onInput = readNifti(exported.bytes, exported.fileName).volume;
    const wantOnInput = mapToInputGrid(want.brainMask, want.mapping, 'nearest');
    expect(onInput.dims).toEqual([70, 80, 40]);
    expect(Array.from(onInput.affine)).toEqual(Array.from(wantOnInput.affine));
    expect(Array.from(onInput.data)).toEqual(Array.from(wantOnInput.data));
    expect(readNifti(exported.bytes, exported.fileName).header.description).toBe('fqlab brain-mask; curvature flow 0.125 x 3');
  });

  it('defineCase with smoothing off conforms the image as read, and says so', async () => {
    const worker = new Session();
    const imageId = (await worker.loadFile('s_T1.nii.gz', niftiBuffer(phantom('image')))).fileId;
    const info = await worker.defineCase({ caseId: 's', imageFileId: imageId, modality: 'T1', split: 'test', smoothing: false });
    const reread = readNifti(new Uint8Array(niftiBuffer(phantom('image'))), 'x').volume;
    const want = conformVolumes({ image: reread, fileName: 's_T1.nii.gz' }, { smoothing: null });
    expect(info.smoothing).toBeNull();
    expect(info.brainVoxels).toBe(want.stats.brainVoxels);
    const layer = readNifti((await worker.getLayer({ caseId: 's', layer: 'image' })).bytes, 'image').volume;
    expect(Array.from(layer.data)).toEqual(Array.from(want.image.data));
    const exported = await worker.exportLayer({ caseId: 's', layer: 'image' });
    expect(readNifti(exported.bytes, exported.fileName).header.description).toBe('fqlab image; no smoothing');
  });

  it('refuses a case whose mask is on another grid, naming both files', async () => {
    const api = exposedApi(new Session());
    const imageId = (await api.loadFile('patient_T2.nii.gz', niftiBuffer(phantom('image')))).fileId;
    const maskId = (await api.loadFile('other_brainmask.nii.gz', niftiBuffer(phantom('mask', [70, 80, 41]), 'uint8'))).fileId;
    const error = await rejection(api.defineCase({ caseId: 'p', imageFileId: imageId, brainMaskFileId: maskId, modality: 'T2', split: 'test' }));
    expect(error).toMatchObject({ code: 'grid-mismatch', fileName: 'patient_T2.nii.gz' });
    expect((error as { message: string }).message).toContain('other_brainmask.nii.gz');
    expect((error as { message: string }).message).toContain('patient_T2.nii.gz');
  });

  it('backendCheck returns the forward output and leaves no tensor behind', async () => {
    const worker = new Session();
    const first = await worker.backendCheck('wasm', { slices: 1, seed: 3 });
    expect(first.output).toHaveLength(96 * 96);
    const tensorsAfterFirst = (await worker.diagnostics()).memory.numTensors;
    const again = await worker.backendCheck('wasm', { slices: 1, seed: 3 });
    expect(Array.from(again.output)).toEqual(Array.from(first.output));
    expect((await worker.diagnostics()).memory.numTensors).toBe(tensorsAfterFirst);
  });

  it('says what is missing when there is no model or no reconstruction', async () => {
    const api = exposedApi(new Session());
    const at500 = { modelId: 'model-x', noiseLevel: 500, seed: 1 };
    expect(await rejection(api.score({ ...at500, alpha: 0.84, score: 'fq', thresholdSource: 'validation-search' }))).toMatchObject({ code: 'no-model' });
    expect(await rejection(api.getLayer({ caseId: 'nope', layer: 'image' }))).toMatchObject({ code: 'bad-argument', fileName: 'nope' });
  });
});
