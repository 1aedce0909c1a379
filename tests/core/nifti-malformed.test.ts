// Tests that every kind of broken NIfTI input (built in memory) gives its specific FqlabError naming the file, fast.
import { gunzipSync, gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FqlabError, type FqlabErrorCode } from '../../src/core/errors.ts';
import { readNifti, writeNifti } from '../../src/core/nifti/index.ts';
import type { NiftiReadOptions } from '../../src/core/nifti/index.ts';

/** A valid little-endian NIfTI-1 .nii: 5 x 4 x 3 float32, LAS affine (header 352 bytes + 240 bytes of voxels). */
function validNii(): Uint8Array {
  const data = new Float32Array(60).map((_, n) => n - 20);
  const affine = new Float64Array([-2, 0, 0, 4, 0, 2, 0, -3, 0, 0, 2, -2, 0, 0, 0, 1]);
  return writeNifti({ dims: [5, 4, 3], data, affine, spacing: [2, 2, 2] }, { gzip: false });
}

/** 40 x 40 x 40 float32 of smooth values, so its gzip spans several deflate blocks. */
function largerNii(): Uint8Array {
  const data = new Float32Array(40 ** 3).map((_, n) => Math.round(100 * Math.sin(n / 50) + (n % 7)));
  const affine = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  return writeNifti({ dims: [40, 40, 40], data, affine, spacing: [1, 1, 1] }, { gzip: false });
}

type Edit = (view: DataView, bytes: Uint8Array) => void;
function edited(edit: Edit, base: Uint8Array = validNii()): Uint8Array {
  const bytes = base.slice();
  edit(new DataView(bytes.buffer), bytes);
  return bytes;
}
const setDims = (dims: number[]): Edit => (v) => dims.forEach((d, n) => v.setInt16(40 + 2 * n, d, true));

/** A NIfTI-2 header (540 bytes) + 4 extension bytes + voxels, big-endian, built field by field. */
function nifti2BigEndian(dims: number[], datatype = 16, bitpix = 32, voxels = 60): Uint8Array {
  const bytes = new Uint8Array(544 + voxels * (bitpix / 8));
  const v = new DataView(bytes.buffer);
  v.setInt32(0, 540, false);
  [0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a].forEach((c, n) => v.setUint8(4 + n, c));
  v.setInt16(12, datatype, false);
  v.setInt16(14, bitpix, false);
  dims.forEach((d, n) => v.setBigInt64(16 + 8 * n, BigInt(d), false));
  [1, 1, 1, 1, 1, 1, 1, 1].forEach((p, n) => v.setFloat64(104 + 8 * n, p, false));
  v.setBigInt64(168, 544n, false);
  return bytes;
}

interface Malformed {
  name: string;
  file: string;
  bytes: () => Uint8Array;
  code: FqlabErrorCode;
  /** Words the message must contain (besides the file name). */
  says: RegExp;
  options?: NiftiReadOptions;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const corpus: Malformed[] = [
  { name: 'empty file', file: 'empty.nii', bytes: () => new Uint8Array(0), code: 'not-nifti', says: /0 bytes/ },
  { name: 'plain text', file: 'notes.nii', bytes: () => text('subject 12, T2 weighted, see scanner log for details '.repeat(10)), code: 'not-nifti', says: /not a NIfTI image.*348 or 540/ },
  { name: 'PNG image', file: 'slice.png.nii.gz', bytes: () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(400)]), code: 'not-nifti', says: /not a NIfTI image/ },
  { name: 'gzipped text', file: 'text.nii.gz', bytes: () => gzipSync(text('hello '.repeat(200))), code: 'not-nifti', says: /not a NIfTI image/ },
  { name: 'gzipped twice', file: 'twice.nii.gz', bytes: () => gzipSync(gzipSync(validNii())), code: 'not-nifti', says: /gzip-compressed twice/ },
  { name: 'ANALYZE header without magic', file: 'analyze.nii', bytes: () => edited((v) => v.setUint32(344, 0)), code: 'not-nifti', says: /ANALYZE/ },
  { name: 'hdr/img pair header', file: 'pair.hdr', bytes: () => edited((_v, b) => b.set([0x6e, 0x69, 0x31, 0], 344)), code: 'not-nifti', says: /\.hdr\/\.img pair/ },
  { name: 'header cut off', file: 'cut-header.nii', bytes: () => validNii().slice(0, 200), code: 'truncated', says: /200 bytes.*348-byte NIfTI-1 header/ },
  { name: 'voxels cut off', file: 'cut-data.nii', bytes: () => validNii().slice(0, 500), code: 'truncated', says: /500 bytes long but its header needs 592/ },
  { name: 'gzip cut in the header', file: 'cut-header.nii.gz', bytes: () => gzipSync(validNii()).slice(0, 30), code: 'truncated', says: /ends after 30 bytes/ },
  { name: 'gzip cut in the voxels', file: 'cut-data.nii.gz', bytes: () => { const gz = gzipSync(largerNii()); return gz.slice(0, gz.length >> 1); }, code: 'truncated', says: /needs 256352 \(256000 bytes of voxels from byte 352, only \d+ present\)/ },
  { name: 'tiny gzip cut in the voxels', file: 'cut-tiny.nii.gz', bytes: () => { const gz = gzipSync(validNii(), { level: 0 }); return gz.slice(0, gz.length - 100); }, code: 'truncated', says: /gzip stream that ends after \d+ bytes/ },
  { name: 'gzip garbage', file: 'garbage.nii.gz', bytes: () => new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3, ...new Uint8Array(300).map((_, n) => (n * 151 + 7) & 255)]), code: 'bad-gzip', says: /compressed data is corrupt/ },
  { name: 'gzip with a bad method byte', file: 'method.nii.gz', bytes: () => { const gz = gzipSync(validNii()); gz[2] = 7; return gz; }, code: 'bad-gzip', says: /corrupt/ },
  { name: 'dims larger than the data', file: 'dims.nii', bytes: () => edited(setDims([3, 50, 40, 30])), code: 'truncated', says: /dims are wrong/ },
  { name: 'dims larger than the gzipped data', file: 'dims.nii.gz', bytes: () => gzipSync(edited(setDims([3, 50, 40, 30]))), code: 'truncated', says: /dims are wrong/ },
  { name: 'absurd dims', file: 'huge.nii', bytes: () => edited(setDims([3, 30000, 30000, 30000])), code: 'too-large', says: /27000000000000 voxels/ },
  { name: 'absurd dims, gzipped', file: 'huge.nii.gz', bytes: () => gzipSync(edited(setDims([3, 30000, 30000, 30000]))), code: 'too-large', says: /more than the/ },
  { name: 'voxel limit from options', file: 'limit.nii', bytes: validNii, options: { maxVoxels: 59 }, code: 'too-large', says: /60 voxels, more than the 59/ },
  { name: 'dim[0] = 0', file: 'dim0.nii', bytes: () => edited(setDims([0])), code: 'bad-dims', says: /dim\[0\] = 0/ },
  { name: 'dim[0] = 8', file: 'dim8.nii', bytes: () => edited(setDims([8])), code: 'bad-dims', says: /dim\[0\] = 8/ },
  { name: 'dim[0] negative', file: 'dimneg.nii', bytes: () => edited(setDims([-3])), code: 'bad-dims', says: /1 to 7/ },
  { name: 'zero dimension', file: 'zero.nii', bytes: () => edited(setDims([3, 5, 0, 3])), code: 'bad-dims', says: /dim\[2\] = 0/ },
  { name: 'negative dimension', file: 'neg.nii', bytes: () => edited(setDims([3, 5, 4, -3])), code: 'bad-dims', says: /dim\[3\] = -3/ },
  { name: 'NIfTI-2 big-endian negative dimension', file: 'n2neg.nii', bytes: () => nifti2BigEndian([3, 5, -4, 3, 1, 1, 1, 1]), code: 'bad-dims', says: /dim\[2\] = -4/ },
  { name: '4D with two volumes', file: 'fmri.nii', bytes: () => edited(setDims([4, 5, 4, 3, 2])), code: 'multi-volume', says: /holds 2 volumes.*fslroi/ },
  { name: '5D with 3 components', file: 'vector.nii', bytes: () => edited(setDims([5, 5, 4, 3, 1, 3])), code: 'multi-volume', says: /holds 3 volumes/ },
  { name: 'complex64', file: 'complex.nii', bytes: () => edited((v) => v.setInt16(70, 32, true)), code: 'unsupported-datatype', says: /complex64.*magnitude/ },
  { name: 'RGB24', file: 'rgb.nii', bytes: () => edited((v) => v.setInt16(70, 128, true)), code: 'unsupported-datatype', says: /RGB24.*grayscale/ },
  { name: 'float128', file: 'f128.nii', bytes: () => edited((v) => v.setInt16(70, 1536, true)), code: 'unsupported-datatype', says: /float128/ },
  { name: 'unknown datatype code', file: 'code999.nii', bytes: () => edited((v) => v.setInt16(70, 999, true)), code: 'unsupported-datatype', says: /code 999 is not a NIfTI datatype/ },
  { name: 'NaN voxel', file: 'nan.nii', bytes: () => edited((v) => v.setFloat32(352 + 4 * 7, Number.NaN, true)), code: 'non-finite', says: /1 NaN or infinite.*index 7/ },
  { name: 'infinite voxel, gzipped', file: 'inf.nii.gz', bytes: () => gzipSync(edited((v) => v.setFloat32(352 + 4 * 9, -Infinity, true))), code: 'non-finite', says: /index 9/ },
  { name: 'float64 beyond float32 range', file: 'f64.nii', bytes: () => { const b = nifti2BigEndian([3, 5, 4, 3, 1, 1, 1, 1], 64, 64); new DataView(b.buffer).setFloat64(544 + 8, 1e300, false); return b; }, code: 'non-finite', says: /overflow float32/ },
  { name: 'scaling overflows float32', file: 'slope.nii', bytes: () => edited((v) => v.setFloat32(112, 1e38, true)), code: 'non-finite', says: /scl_slope/ },
  { name: 'slope with NaN intercept', file: 'inter.nii', bytes: () => edited((v) => { v.setFloat32(112, 2, true); v.setFloat32(116, Number.NaN, true); }), code: 'bad-header', says: /scl_inter NaN/ },
  { name: 'vox_offset 0', file: 'off0.nii', bytes: () => edited((v) => v.setFloat32(108, 0, true)), code: 'bad-header', says: /vox_offset 0.*352/ },
  { name: 'vox_offset absurd', file: 'offbig.nii', bytes: () => edited((v) => v.setFloat32(108, 3e9, true)), code: 'bad-header', says: /MiB of header extensions/ },
  { name: 'invalid qform quaternion', file: 'quat.nii', bytes: () => edited((v) => { v.setInt16(254, 0, true); [0.9, 0.9, 0.9].forEach((q, n) => v.setFloat32(256 + 4 * n, q, true)); }), code: 'bad-header', says: /quaternion/ },
  { name: 'NaN in the sform', file: 'sform-nan.nii', bytes: () => edited((v) => v.setFloat32(280 + 4 * 5, Number.NaN, true)), code: 'bad-header', says: /NaN or infinite numbers in the sform/ },
  { name: 'all-zero sform', file: 'sform-zero.nii', bytes: () => edited((_v, b) => b.fill(0, 280, 328)), code: 'bad-header', says: /singular/ },
];

describe('readNifti refuses malformed input with a specific, actionable error', () => {
  for (const m of corpus) {
    it(m.name, () => {
      const start = performance.now();
      let error: unknown;
      try {
        readNifti(m.bytes(), m.file, m.options);
      } catch (e) {
        error = e;
      }
      expect(performance.now() - start).toBeLessThan(2000);
      expect(error).toBeInstanceOf(FqlabError);
      const e = error as FqlabError;
      expect(e.code, e.message).toBe(m.code);
      expect(e.fileName).toBe(m.file);
      expect(e.message.startsWith(`${m.file}: `)).toBe(true);
      expect(e.message).toMatch(m.says);
    });
  }

  it('replaces NaN/Inf with 0 when asked to', () => {
    const bytes = edited((v) => {
      v.setFloat32(352 + 4 * 7, Number.NaN, true);
      v.setFloat32(352 + 4 * 8, Infinity, true);
    });
    const { volume } = readNifti(bytes, 'nan.nii', { nonFinite: 'zero' });
    expect(volume.data[7]).toBe(0);
    expect(volume.data[8]).toBe(0);
    expect(volume.data[9]).toBe(9 - 20);
  });
});

/** The code of the FqlabError that reading `bytes` throws, after checking it names the file (and says `says`). */
function refusal(bytes: Uint8Array, file: string, says?: RegExp): FqlabErrorCode | undefined {
  try {
    readNifti(bytes, file);
  } catch (e) {
    expect(e).toBeInstanceOf(FqlabError);
    expect((e as FqlabError).fileName).toBe(file);
    if (says) expect((e as FqlabError).message).toMatch(says);
    return (e as FqlabError).code;
  }
  return undefined;
}

describe('readNifti stays bounded on hostile gzip', () => {
  it('inflates the stream to its end, so a corrupt tail after the voxels is refused', () => {
    const nii = validNii();
    const padded = new Uint8Array(nii.length + 8 * 2 ** 20); // 8 MiB of zeros after the image ...
    padded.set(nii);
    const gz = gzipSync(padded, { level: 1 });
    gz.fill(0xff, gz.length - 40, gz.length - 8); // ... whose compressed tail is then destroyed
    expect(() => gunzipSync(gz)).toThrow();
    expect(refusal(gz, 'padded.nii.gz')).toBe('bad-gzip');
  });

  it('refuses a gzip bomb behind a valid header once 16 MiB more than the voxels came out', () => {
    const zeros = gzipSync(new Uint8Array(16 * 2 ** 20), { level: 1 });
    const members = [gzipSync(validNii()), ...new Array<Uint8Array>(64).fill(zeros)]; // 1 GiB of zeros after the image
    const bomb = new Uint8Array(members.reduce((sum, m) => sum + m.length, 0));
    members.reduce((at, m) => (bomb.set(m, at), at + m.length), 0);
    const start = performance.now();
    expect(refusal(bomb, 'bomb.nii.gz', /more than 16 MiB beyond the 240 bytes of voxels/)).toBe('bad-dims');
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('does not allocate what a lying header claims before the data is there', () => {
    // 1 GiB of float64 claimed (within the voxel limit), a few hundred bytes present
    const liar = gzipSync(edited((v) => {
      setDims([3, 512, 512, 512])(v, new Uint8Array(0));
      v.setInt16(70, 64, true);
      v.setInt16(72, 64, true);
    }));
    const before = process.memoryUsage().arrayBuffers;
    expect(refusal(liar, 'liar.nii.gz')).toBe('truncated');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });
});
