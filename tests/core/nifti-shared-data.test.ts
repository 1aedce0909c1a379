// Reads every real MRI file in ../shared/data: finite values, nibabel's dims and orientation, and (live) its affine and voxel sums.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { orientationCode, readNifti } from '../../src/core/nifti/index.ts';

const dataDir = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const haveData = existsSync(dataDir);
if (!haveData) console.warn(`nifti-shared-data: ${dataDir} not found, skipping the real-data tests`);

/** [path under shared/data, dims, orientation, stored datatype], as nibabel 5 reports them (nib.load, aff2axcodes). */
const expected: [string, [number, number, number], string, string][] = [
  ['healthy/IXI002_T1.nii.gz', [150, 256, 256], 'LAS', 'int16'],
  ['healthy/IXI002_T1_brainmask.nii.gz', [150, 256, 256], 'LAS', 'int16'],
  ['healthy/IXI002_T2.nii.gz', [256, 256, 130], 'LAS', 'int16'],
  ['healthy/IXI002_T2_brainmask.nii.gz', [256, 256, 130], 'LAS', 'int16'],
  ['healthy/colin27_T1.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['healthy/colin27_T1_brainmask.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['healthy/icbm152_2009_T1.nii.gz', [207, 256, 215], 'RAS', 'uint8'],
  ['lesion/BraTS2013_pat0001/FLAIR_zscored.nii.gz', [240, 240, 155], 'LPS', 'float32'],
  ['lesion/BraTS2013_pat0001/brainmask.nii.gz', [240, 240, 155], 'LPS', 'int32'],
  ['lesion/BraTS2013_pat0001/seg.nii.gz', [240, 240, 155], 'LPS', 'float32'],
  ['lesion/BraTS2013_pat0002/FLAIR_zscored.nii.gz', [240, 240, 155], 'LPS', 'float32'],
  ['lesion/BraTS2013_pat0002/brainmask.nii.gz', [240, 240, 155], 'LPS', 'int32'],
  ['lesion/BraTS2013_pat0002/seg.nii.gz', [240, 240, 155], 'LPS', 'float32'],
  ['lesion/BraTS2013_pat0003/FLAIR_zscored.nii.gz', [240, 240, 155], 'LPS', 'float32'],
  ['lesion/BraTS2013_pat0003/brainmask.nii.gz', [240, 240, 155], 'LPS', 'int32'],
  ['lesion/BraTS2013_pat0003/seg.nii.gz', [240, 240, 155], 'LPS', 'float32'],
  ['lesion/MSLUB_patient07/FLAIR.nii.gz', [182, 218, 182], 'LAS', 'float32'],
  ['lesion/MSLUB_patient07/GOLD_STANDARD.nii.gz', [182, 218, 182], 'LAS', 'uint8'],
  ['lesion/MSLUB_patient07/T1.nii.gz', [182, 218, 182], 'LAS', 'float32'],
  ['lesion/MSLUB_patient07/T2.nii.gz', [182, 218, 182], 'LAS', 'float32'],
  ['lesion/TCGA-DU-7294/FLAIR.nii.gz', [240, 240, 155], 'LPS', 'int16'],
  ['lesion/TCGA-DU-7294/T2.nii.gz', [240, 240, 155], 'LPS', 'int16'],
  ['lesion/TCGA-DU-7294/seg.nii.gz', [240, 240, 155], 'LPS', 'uint8'],
  ['simulated-lesion-masks/lesion_01.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_02.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_03.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_04.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_05.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_06.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_07.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_08.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_09.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_10.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_11.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_12.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_13.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_14.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_15.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_16.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_17.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_18.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_19.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_20.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_21.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_22.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_23.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
  ['simulated-lesion-masks/lesion_24.nii.gz', [181, 217, 181], 'RAS', 'uint8'],
];

const found = haveData
  ? readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.nii.gz')).sort()
  : [];
const nibabelAvailable = haveData && spawnSync('/usr/bin/python3', ['-c', 'import nibabel'], { encoding: 'utf8' }).status === 0;
if (haveData && !nibabelAvailable) console.warn('nifti-shared-data: /usr/bin/python3 with nibabel not found, skipping the live nibabel comparison');

/** Files whose voxels nibabel also sums (one per stored datatype: int16, uint8, float32, int32). */
const summed = ['healthy/IXI002_T2.nii.gz', 'healthy/colin27_T1.nii.gz', 'lesion/BraTS2013_pat0001/FLAIR_zscored.nii.gz',
  'lesion/BraTS2013_pat0001/brainmask.nii.gz'];

interface NibabelView { affine: number[]; sum?: number; sumsq?: number; min?: number; max?: number }

/** nibabel's affine for every file (header only) and voxel statistics for `summed`, asked once, live. */
function askNibabel(): Record<string, NibabelView> {
  const script = [
    'import json, sys, os, nibabel as nib, numpy as np',
    'root, summed = sys.argv[1], set(sys.argv[2].split(","))',
    'out = {}',
    'for f in sys.argv[3:]:',
    '    img = nib.load(os.path.join(root, f))',
    '    r = {"affine": img.affine.ravel().tolist()}',
    '    if f in summed:',
    '        d = img.get_fdata(dtype=np.float64)',
    '        r.update(sum=float(d.sum()), sumsq=float((d * d).sum()), min=float(d.min()), max=float(d.max()))',
    '    out[f] = r',
    'print(json.dumps(out))',
  ].join('\n');
  const files = expected.map((e) => e[0]);
  const run = spawnSync('/usr/bin/python3', ['-c', script, dataDir, summed.join(','), ...files], { encoding: 'utf8', maxBuffer: 2 ** 24 });
  if (run.status !== 0) throw new Error(`nibabel failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, NibabelView>;
}

describe.skipIf(!haveData)('real MRI in shared/data', () => {
  let nibabel: Record<string, NibabelView> | undefined;
  beforeAll(() => {
    if (nibabelAvailable) nibabel = askNibabel();
  }, 60_000);

  it('holds exactly the files this test knows', () => {
    expect(found).toEqual(expected.map((e) => e[0]).sort());
  });

  for (const [file, dims, orientation, datatype] of expected) {
    it(`reads ${file}${summed.includes(file) ? ' (voxel sums checked)' : ''}`, () => {
      const { volume, header } = readNifti(new Uint8Array(readFileSync(join(dataDir, file))), file);
      expect(volume.dims).toEqual(dims);
      expect(orientationCode(volume.affine)).toBe(orientation);
      expect(header.datatypeName).toBe(datatype);
      expect(volume.data.length).toBe(dims[0] * dims[1] * dims[2]);
      let sum = 0;
      let sumsq = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let n = 0; n < volume.data.length; n++) {
        const v = volume.data[n];
        if (!Number.isFinite(v)) throw new Error(`voxel ${n} is ${v}`);
        sum += v;
        sumsq += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const ref = nibabel?.[file];
      if (!ref) return;
      ref.affine.forEach((v, n) => {
        expect(Math.abs(volume.affine[n] - v), `affine[${n}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v)));
      });
      if (ref.sum === undefined || ref.sumsq === undefined) return;
      expect(Math.abs(sum - ref.sum), 'sum').toBeLessThanOrEqual(1e-6 * Math.sqrt(ref.sumsq * volume.data.length));
      expect(Math.abs(sumsq - ref.sumsq), 'sum of squares').toBeLessThanOrEqual(1e-6 * ref.sumsq);
      expect(min).toBeCloseTo(ref.min as number, 5);
      expect(max).toBeCloseTo(ref.max as number, 5);
    });
  }

  it('reads the 256 x 256 x 130 int16 IXI T2 in well under a second', () => {
    const bytes = new Uint8Array(readFileSync(join(dataDir, 'healthy/IXI002_T2.nii.gz')));
    const times: number[] = [];
    for (let r = 0; r < 2; r++) {
      const start = performance.now();
      readNifti(bytes, 'IXI002_T2.nii.gz');
      times.push(performance.now() - start);
    }
    console.info(`readNifti IXI002_T2.nii.gz: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    expect(Math.min(...times)).toBeLessThan(1000);
  });
});
