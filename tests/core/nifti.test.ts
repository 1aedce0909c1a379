// Tests the NIfTI reader against nibabel's reading of generated fixtures, and the writer by round trip, nifti-reader-js and nibabel.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NIFTI1 } from 'nifti-reader-js';
import { gunzipSync, gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FqlabError } from '../../src/core/errors.ts';
import { orientationCode, readNifti, writeNifti } from '../../src/core/nifti/index.ts';
import type { Volume } from '../../src/core/volume.ts';
import type { NiftiFixtureCase } from './niftiFixture.ts';

const fixtureDir = fileURLToPath(new URL('../fixtures/nifti/', import.meta.url));

const manifest = JSON.parse(readFileSync(join(fixtureDir, 'manifest.json'), 'utf8')) as { cases: NiftiFixtureCase[] };
const fixtureBytes = (file: string): Uint8Array => new Uint8Array(readFileSync(join(fixtureDir, file)));

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number, absolute = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let n = 0; n < expected.length; n++) {
    const tolerance = Math.max(absolute, relative * Math.abs(expected[n]));
    if (!(Math.abs(actual[n] - expected[n]) <= tolerance)) {
      throw new Error(`element ${n}: ${actual[n]} vs expected ${expected[n]} (tolerance ${tolerance})`);
    }
  }
}

describe('readNifti matches nibabel on generated fixtures', () => {
  it('covers every case the fixture script wrote', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of manifest.cases) {
    it(c.name, () => {
      const { volume, header } = readNifti(fixtureBytes(c.file), c.file);
      expect(volume.dims).toEqual(c.dims);
      expectClose(volume.data, c.data, 1e-5, 1e-30);
      expectClose(volume.affine, c.affine, 1e-5, 1e-5);
      expectClose(volume.spacing, c.spacing, 1e-5);
      expect(orientationCode(volume.affine)).toBe(c.orientation);
      expect(header.version).toBe(c.version);
      expect(header.littleEndian).toBe(c.littleEndian);
      expect(header.datatypeCode).toBe(c.datatypeCode);
      expect(header.qformCode).toBe(c.qformCode);
      expect(header.sformCode).toBe(c.sformCode);
      expect(header.description).toBe(c.description);
      expect(header.sclSlope).toBe(c.sclSlope ?? Number.NaN);
      expect(header.sclInter).toBe(c.sclInter ?? Number.NaN);
      expect(header.rawDims).toHaveLength(8);
      expect(header.pixdim).toHaveLength(8);
    });
  }

  it('names datatypes and says which transform gave the affine', () => {
    const names = manifest.cases
      .filter((c) => c.name.startsWith('dtype-'))
      .map((c) => readNifti(fixtureBytes(c.file), c.file).header.datatypeName);
    expect(names).toEqual(['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64']);
    const source = (name: string): string => {
      const c = manifest.cases.find((x) => x.name === name) as NiftiFixtureCase;
      return readNifti(fixtureBytes(c.file), c.file).header.affineSource;
    };
    expect(source('orient-disagree')).toBe('sform'); // nibabel: sform wins even with a higher qform_code
    expect(source('orient-qform-qfac-neg')).toBe('qform');
    expect(source('orient-bad-sform-code')).toBe('qform'); // sform_code 7 is invalid, nibabel treats it as 0
    expect(source('orient-none')).toBe('pixdim');
  });

  it('detects gzip from the bytes, not the file name', () => {
    const gz = fixtureBytes('dtype-int16.nii.gz');
    const raw = gunzipSync(gz);
    const a = readNifti(gz, 'misnamed.nii');
    const b = readNifti(raw, 'misnamed.nii.gz');
    expect(Array.from(b.volume.data)).toEqual(Array.from(a.volume.data));
    expect(Array.from(b.volume.affine)).toEqual(Array.from(a.volume.affine));
  });

  it('reads multi-member gzip (as bgzip writes), whose trailer size covers only the last member', () => {
    const raw = gunzipSync(fixtureBytes('dtype-float64.nii.gz'));
    const split = 400;
    const members = [gzipSync(raw.subarray(0, split)), gzipSync(raw.subarray(split))];
    const joined = new Uint8Array(members[0].length + members[1].length);
    joined.set(members[0]);
    joined.set(members[1], members[0].length);
    const a = readNifti(joined, 'bgzip.nii.gz');
    const b = readNifti(raw, 'plain.nii');
    expect(Array.from(a.volume.data)).toEqual(Array.from(b.volume.data));
  });

  it('does not alias or modify the caller\'s bytes', () => {
    const raw = fixtureBytes('raw-be-float32.nii');
    const before = raw.slice();
    const { volume } = readNifti(raw, 'raw-be-float32.nii');
    expect(volume.data.buffer).not.toBe(raw.buffer);
    expect(raw).toEqual(before);
    const le = gunzipSync(fixtureBytes('dtype-float32.nii.gz'));
    expect(readNifti(le, 'le.nii').volume.data.buffer).not.toBe(le.buffer);
  });
});

describe('orientationCode', () => {
  const affineOf = (rows: number[][]): Float64Array => new Float64Array([...rows.flat(), 0, 0, 0, 1]);
  it('gives nibabel axis codes for axis-aligned and oblique affines', () => {
    expect(orientationCode(affineOf([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]))).toBe('RAS');
    expect(orientationCode(affineOf([[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]))).toBe('LAS');
    expect(orientationCode(affineOf([[-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, 1, 0]]))).toBe('LPS');
    // sagittal acquisition: i runs A->P, j S->I, k R->L
    expect(orientationCode(affineOf([[0, 0, -1.2, 0], [-1, 0, 0, 0], [0, -1, 0, 0]]))).toBe('PIL');
    // 30 degrees oblique still maps i mostly to x
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    expect(orientationCode(affineOf([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 2, 0]]))).toBe('RAS');
  });
});

function testVolume(dims: [number, number, number], affine: number[], values: (n: number) => number): Volume {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let n = 0; n < data.length; n++) data[n] = values(n);
  const a = new Float64Array(affine);
  const spacing = [0, 1, 2].map((c) => Math.hypot(a[c], a[4 + c], a[8 + c])) as [number, number, number];
  return { dims, data, affine: a, spacing };
}

const obliqueFixture = manifest.cases.find((c) => c.name === 'orient-oblique-sform') as NiftiFixtureCase;
const flippedFixture = manifest.cases.find((c) => c.name === 'orient-qform-qfac-neg') as NiftiFixtureCase;
const writeCases: { name: string; volume: Volume; datatype: 'float32' | 'uint8' }[] = [
  { name: 'float32-las', datatype: 'float32',
    volume: testVolume([6, 5, 4], [-0.9375, 0, 0, 120.5, 0, 0.9375, 0, -110.25, 0, 0, 1.25, -70, 0, 0, 0, 1], (n) => Math.sin(n) * 1000) },
  { name: 'float32-oblique-shear', datatype: 'float32', volume: testVolume([5, 4, 3], obliqueFixture.affine, (n) => n / 7 - 3) },
  { name: 'uint8-qfac-neg', datatype: 'uint8', volume: testVolume([5, 4, 3], flippedFixture.affine, (n) => (n * 37) % 256) },
];

describe('writeNifti', () => {
  for (const w of writeCases) {
    it(`round-trips ${w.name} through readNifti, gzipped and not`, () => {
      for (const gzip of [true, false]) {
        const bytes = writeNifti(w.volume, { datatype: w.datatype, gzip, description: `fqlab test ${w.name}` });
        expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip);
        const { volume, header } = readNifti(bytes, `${w.name}.nii`);
        expect(volume.dims).toEqual(w.volume.dims);
        expect(Array.from(volume.data)).toEqual(Array.from(w.volume.data));
        expectClose(volume.affine, w.volume.affine, 1e-6, 1e-5);
        expect(header).toMatchObject({
          version: 1, datatypeName: w.datatype, sformCode: 2, qformCode: 2, sclSlope: 1, sclInter: 0,
          description: `fqlab test ${w.name}`, affineSource: 'sform',
        });
      }
    });
  }

  it('quantises [0, 1] images to uint8 with scl_slope when asked, within half a step', () => {
    const dims = [7, 5, 3] as const;
    const data = Float32Array.from({ length: 105 }, (_, n) => ((n * 37) % 101) / 100);
    const affine = Float64Array.from([2, 0, 0, -7, 0, 2, 0, -5, 0, 0, 2, -3, 0, 0, 0, 1]);
    const bytes = writeNifti({ dims, data, affine, spacing: [2, 2, 2] }, { datatype: 'uint8', uint8Slope: 1 / 255 });
    const { volume, header } = readNifti(bytes, 'quantised.nii.gz');
    expect(header.datatypeName).toBe('uint8');
    expect(header.sclSlope).toBeCloseTo(1 / 255, 9);
    for (let n = 0; n < data.length; n++) expect(Math.abs(volume.data[n] - data[n])).toBeLessThanOrEqual(0.5 / 255 + 1e-7);
    expect(() => writeNifti({ dims, data, affine, spacing: [2, 2, 2] }, { datatype: 'float32', uint8Slope: 0.1 })).toThrow(/uint8Slope/);
  });

  it('stores a qform that reproduces shear-free affines on its own', () => {
    for (const w of writeCases.filter((x) => !x.name.includes('shear'))) {
      const bytes = writeNifti(w.volume, { datatype: w.datatype, gzip: false });
      new DataView(bytes.buffer).setInt16(254, 0, true); // sform_code 0: readers fall back to the qform
      const { volume, header } = readNifti(bytes, 'qform-only.nii');
      expect(header.affineSource).toBe('qform');
      expectClose(volume.affine, w.volume.affine, 1e-5, 1e-5);
    }
  });

  it('is read the same way by nifti-reader-js, the parser NiiVue uses', () => {
    const w = writeCases[0];
    const raw = writeNifti(w.volume, { gzip: false });
    const header = new NIFTI1();
    header.readHeader(raw.slice().buffer);
    expect(header.dims.slice(0, 4)).toEqual([3, 6, 5, 4]);
    expect(header.datatypeCode).toBe(16);
    expect(header.vox_offset).toBe(352);
    expectClose(header.affine.flat(), w.volume.affine, 1e-6, 1e-5);
  });

  it('refuses values a file cannot hold, with a typed error', () => {
    const base = writeCases[0].volume;
    const withValue = (v: number): Volume => {
      const data = base.data.slice();
      data[3] = v;
      return { ...base, data };
    };
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(FqlabError);
        return (e as FqlabError).code;
      }
      return undefined;
    };
    expect(codeOf(() => writeNifti(withValue(Number.NaN)))).toBe('non-finite');
    expect(codeOf(() => writeNifti(withValue(Number.POSITIVE_INFINITY)))).toBe('non-finite');
    const mask = { ...base, data: new Float32Array(base.data.length) };
    expect(codeOf(() => writeNifti(mask, { datatype: 'uint8' }))).toBeUndefined();
    expect(codeOf(() => writeNifti({ ...mask, data: withValue(0.5).data.map((v, n) => (n === 3 ? v : 0)) }, { datatype: 'uint8' }))).toBe('bad-argument');
    expect(codeOf(() => writeNifti({ ...mask, data: withValue(256).data.map((v, n) => (n === 3 ? v : 0)) }, { datatype: 'uint8' }))).toBe('bad-argument');
    expect(codeOf(() => writeNifti({ ...base, data: base.data.subarray(1) }))).toBe('bad-argument');
    expect(codeOf(() => writeNifti({ ...base, affine: new Float64Array(16) }))).toBe('bad-argument');
  });
});

const nibabelAvailable = spawnSync('/usr/bin/python3', ['-c', 'import nibabel'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!nibabelAvailable)('nibabel reads what writeNifti writes', () => {
  it('gives the same data, affine, qform and codes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fqlab-nifti-'));
    try {
      const files = writeCases.map((w, n) => {
        const path = join(dir, `case${n}.nii${n === 1 ? '' : '.gz'}`);
        writeFileSync(path, writeNifti(w.volume, { datatype: w.datatype, gzip: n !== 1 }));
        return path;
      });
      const script = [
        'import json, sys, nibabel as nib, numpy as np',
        'out = []',
        'for p in sys.argv[1:]:',
        '    img = nib.load(p)',
        '    h = img.header',
        '    out.append({"affine": img.affine.ravel().tolist(), "qform": h.get_qform().ravel().tolist(),',
        '        "codes": [int(h["sform_code"]), int(h["qform_code"])], "dtype": str(h.get_data_dtype()),',
        '        "shape": list(img.shape), "data": np.asanyarray(img.dataobj).astype(np.float64).ravel(order="F").tolist()})',
        'print(json.dumps(out))',
      ].join('\n');
      const run = spawnSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const read = JSON.parse(run.stdout) as { affine: number[]; qform: number[]; codes: number[]; dtype: string; shape: number[]; data: number[] }[];
      read.forEach((r, n) => {
        const w = writeCases[n];
        expect(r.shape).toEqual([...w.volume.dims]);
        expect(r.dtype).toBe(w.datatype);
        expect(r.codes).toEqual([2, 2]);
        expect(r.data).toEqual(Array.from(w.volume.data));
        expectClose(r.affine, w.volume.affine, 1e-6, 1e-5);
        if (!w.name.includes('shear')) expectClose(r.qform, w.volume.affine, 1e-5, 1e-5);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
