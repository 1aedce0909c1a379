// The worker's registerAndSkullStrip in Node with a stand-in elastix: the warped template mask is loaded as a paired brain-mask file.
import { describe, expect, it } from 'vitest';
import { readNifti, writeNifti } from '../../src/core/nifti/index.ts';
import type { ElastixRequest, RegistrationTemplates } from '../../src/core/registration/index.ts';
import type { Volume } from '../../src/core/volume.ts';
import { exposedApi } from '../../workers/exposedApi.ts';
import { guessRole, subjectKey } from '../../src/analysis/fileRoles.ts';
import { Session } from '../../src/session/session.ts';
import type { RegistrationServices } from '../../src/session/skullStrip.ts';

/** A 2 mm "template" whose brain is the box x in [-20, 20) mm, y and z in [-30, 30) mm (voxel centres), in RAS. */
function box(value: (x: number, y: number, z: number) => number): Volume {
  const dims = [50, 50, 50] as const;
  const affine = Float64Array.from([2, 0, 0, -50, 0, 2, 0, -50, 0, 0, 2, -50, 0, 0, 0, 1]);
  const data = new Float32Array(50 ** 3);
  for (let k = 0, n = 0; k < 50; k++) for (let j = 0; j < 50; j++) for (let i = 0; i < 50; i++, n++) data[n] = value(2 * i - 50, 2 * j - 50, 2 * k - 50);
  return { dims, data, affine, spacing: [2, 2, 2] };
}

const inBrain = (x: number, y: number, z: number): number => (Math.abs(x + 1) < 20 && Math.abs(y + 1) < 30 && Math.abs(z + 1) < 30 ? 1 : 0);
const templates: RegistrationTemplates = { head: box(inBrain), brain: box(inBrain), brainMask: box(inBrain) };

/** elastix stand-in: the rigid stage finds nothing, the affine one a 10 mm shift towards left (LPS +x). */
const shiftingElastix: RegistrationServices = {
  loadTemplates: async () => templates,
  runElastix: async (request: ElastixRequest) => {
    const rigid = { Transform: ['EulerTransform'], TransformParameters: ['0', '0', '0', '0', '0', '0'], CenterOfRotationPoint: ['0', '0', '0'] };
    const affine = { Transform: ['AffineTransform'], TransformParameters: '1 0 0 0 1 0 0 0 1 10 0 0'.split(' '), CenterOfRotationPoint: ['0', '0', '0'] };
    return request.initialTransformParameterObject ? [rigid, affine] : [rigid];
  },
};

describe('registerAndSkullStrip', () => {
  it('loads the template mask, warped onto the image grid, as <stem>_brainmask_registered.nii.gz', async () => {
    const worker = exposedApi(new Session({ registration: shiftingElastix }));
    // The scan is the template itself, noisy background (raw-looking).
    const scan = box((x, y, z) => 100 * inBrain(x, y, z) + ((x * 7 + y * 13 + z) & 7));
    const image = await worker.loadFile('sub01_T1.nii.gz', writeNifti(scan, { datatype: 'float32' }).slice().buffer as ArrayBuffer);
    const stages: string[] = [];
    const result = await worker.registerAndSkullStrip(image.fileId, (p) => stages.push(p.stage));
    expect(stages).toEqual(['preparing', 'rigid', 'affine', 'affine']);
    expect(result.template).toBe('head');
    expect(result.mask.fileName).toBe('sub01_T1_brainmask_registered.nii.gz');
    expect(guessRole(result.mask.fileName)).toBe('brain-mask');
    expect(subjectKey(result.mask.fileName)).toBe(subjectKey(image.fileName));
    expect(result.mask.dims).toEqual(scan.dims);
    // LPS +10 mm is RAS -10 mm: scan point p matches template point p - 10 mm in x, so the brain moves by +10 mm.
    expect(result.scanToTemplate).toEqual([1, 0, 0, -10, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const mask = readNifti(result.bytes, result.mask.fileName).volume;
    expect(Array.from(mask.data)).toEqual(Array.from(box((x, y, z) => inBrain(x - 10, y, z)).data));
    await worker.defineCase({ caseId: 'sub01', imageFileId: image.fileId, brainMaskFileId: result.mask.fileId, modality: 'T1', split: 'test' });
  });

  it('conforms a case in template space on request and exports its maps on the scan grid', async () => {
    const worker = exposedApi(new Session({ registration: shiftingElastix }));
    const scan = box((x, y, z) => 100 * inBrain(x, y, z) + ((x * 7 + y * 13 + z) & 7));
    const image = await worker.loadFile('sub02_T1.nii.gz', writeNifti(scan, { datatype: 'float32' }).slice().buffer as ArrayBuffer);
    const info = await worker.defineCase({ caseId: 'sub02', imageFileId: image.fileId, modality: 'T1', split: 'test', registered: true });
    // Without a mask, the template's: a 40 x 60 x 60 mm box, 144,000 voxels of 1 mm in template space, 18,000 of 2 mm.
    expect(info.brainVoxels).toBe(18_000);
    const exported = await worker.exportLayer({ caseId: 'sub02', layer: 'brain-mask' });
    const mask = readNifti(exported.bytes, exported.fileName).volume;
    expect(mask.dims).toEqual(scan.dims);
    expect(Array.from(mask.affine)).toEqual(Array.from(scan.affine));
    // The template's brain, moved 10 mm along x on the scan (see the first test).
    expect(Array.from(mask.data)).toEqual(Array.from(box((x, y, z) => inBrain(x - 10, y, z)).data));
  });

  it('is refused with a message where no elastix is available', async () => {
    const worker = exposedApi(new Session());
    const image = await worker.loadFile('a.nii', writeNifti(templates.head, { datatype: 'float32', gzip: false }).slice().buffer as ArrayBuffer);
    await expect(worker.registerAndSkullStrip(image.fileId, () => undefined)).rejects.toMatchObject({ code: 'unavailable', fileName: 'a.nii' });
  });
});
