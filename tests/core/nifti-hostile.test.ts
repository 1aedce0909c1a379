// Regression tests for hostile and unusual input: Node Buffer views into Node's shared pool, gzip checksums, headers float32 cannot hold.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FqlabError, type FqlabErrorCode } from '../../src/core/errors.ts';
import { readNifti, writeNifti } from '../../src/core/nifti/index.ts';
import type { Volume } from '../../src/core/volume.ts';

const fixtureDir = fileURLToPath(new URL('../fixtures/nifti/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(fixtureDir, 'manifest.json'), 'utf8')) as { cases: { file: string; data: number[] }[] };
const smallFiles = manifest.cases.filter((c) => readFileSync(join(fixtureDir, c.file)).length < 4096);

/** The file's bytes inside an 8 KiB Node Buffer whose other bytes are not NIfTI, as Node's pool holds small files. */
function pooledView(bytes: Uint8Array, at: number): Buffer {
  const pool = Buffer.alloc(8192, 0x5a);
  pool.set(bytes, at);
  return pool.subarray(at, at + bytes.length);
}

/** The code of the FqlabError that reading `bytes` throws, after checking it names the file first. */
function refusal(bytes: Uint8Array, file: string): { code: FqlabErrorCode; message: string } | undefined {
  try {
    readNifti(bytes, file);
  } catch (e) {
    expect(e).toBeInstanceOf(FqlabError);
    expect((e as FqlabError).fileName).toBe(file);
    expect((e as FqlabError).message.startsWith(`${file}: `)).toBe(true);
    return { code: (e as FqlabError).code, message: (e as FqlabError).message };
  }
  return undefined;
}

describe('readNifti on Node Buffers', () => {
  it('has small files to test', () => {
    expect(smallFiles.length).toBeGreaterThanOrEqual(10);
  });

  it('reads every small fixture from a view into a larger buffer, aligned or not', () => {
    for (const c of smallFiles) {
      const bytes = new Uint8Array(readFileSync(join(fixtureDir, c.file)));
      for (const at of [1000, 1001]) {
        const { volume } = readNifti(pooledView(bytes, at), c.file);
        expect(Array.from(volume.data), `${c.file} at byte ${at}`).toEqual(c.data.map(Math.fround));
      }
    }
  });

  it('reads small files as fs.readFileSync and Buffer.from give them', () => {
    for (const c of smallFiles) {
      const path = join(fixtureDir, c.file);
      for (const buffer of [readFileSync(path), Buffer.from(readFileSync(path))]) {
        expect(Array.from(readNifti(buffer, c.file).volume.data)).toEqual(c.data.map(Math.fround));
      }
    }
  });

  it('leaves a big-endian Buffer as it was, so reading it twice gives the same values', () => {
    const view = pooledView(new Uint8Array(readFileSync(join(fixtureDir, 'raw-be-float32.nii'))), 1000);
    const before = Buffer.from(view);
    const first = Array.from(readNifti(view, 'raw-be-float32.nii').volume.data);
    expect(Buffer.compare(view, before)).toBe(0);
    expect(Array.from(readNifti(view, 'raw-be-float32.nii').volume.data)).toEqual(first);
  });
});

describe('readNifti checks every gzip member against its trailer', () => {
  const nii = gunzipSync(new Uint8Array(readFileSync(join(fixtureDir, 'dtype-float32.nii.gz'))));
  /** Stored (level 0) deflate: decompressed byte k sits at byte 15 + k (10-byte gzip header, 5-byte block header). */
  const stored = (): Uint8Array => gzipSync(nii, { level: 0 });
  const voxelByte = (voxel: number): number => 15 + 352 + 4 * voxel + 2;

  it('refuses a flipped voxel byte', () => {
    const gz = stored();
    expect(readNifti(gz, 'ok.nii.gz').volume.data.length).toBe(60);
    gz[voxelByte(10)] ^= 0x40;
    expect(refusal(gz, 'flipped.nii.gz')).toMatchObject({ code: 'bad-gzip', message: expect.stringMatching(/fails its gzip checksum/) });
  });

  it('refuses a damaged CRC or size in the trailer, and a trailer cut off', () => {
    const crc = stored();
    crc[crc.length - 6] ^= 1;
    expect(refusal(crc, 'crc.nii.gz')?.code).toBe('bad-gzip');
    const size = stored();
    size[size.length - 2] ^= 1;
    expect(refusal(size, 'size.nii.gz')).toMatchObject({ code: 'bad-gzip', message: expect.stringMatching(/trailer says/) });
    expect(refusal(stored().subarray(0, stored().length - 3), 'cut.nii.gz')?.code).toBe('bad-gzip');
  });

  it('refuses a stream cut off after the voxels but before its end', () => {
    const padded = new Uint8Array(nii.length + 65536).map((_, n) => (n * 2654435761) >>> 27); // poorly compressible tail
    padded.set(nii);
    const gz = gzipSync(padded);
    expect(refusal(gz.subarray(0, gz.length - 1000), 'cut-tail.nii.gz')).toMatchObject({
      code: 'truncated', message: expect.stringMatching(/before its end marker and checksum/),
    });
  });

  it('checks the first of two members too', () => {
    const first = gzipSync(nii.subarray(0, 400), { level: 0 });
    first[15 + 380] ^= 1;
    const second = gzipSync(nii.subarray(400));
    const joined = new Uint8Array(first.length + second.length);
    joined.set(first);
    joined.set(second, first.length);
    expect(refusal(joined, 'members.nii.gz')?.code).toBe('bad-gzip');
  });
});

describe('writeNifti refuses headers that float32 cannot hold', () => {
  const volumeWith = (affine: number[]): Volume => ({
    dims: [2, 2, 2], data: new Float32Array(8), affine: Float64Array.from(affine), spacing: [1, 1, 1],
  });
  const writeError = (affine: number[]): FqlabError => {
    try {
      writeNifti(volumeWith(affine), { fileName: 'out/fq.nii.gz' });
    } catch (e) {
      expect(e).toBeInstanceOf(FqlabError);
      return e as FqlabError;
    }
    throw new Error('writeNifti wrote the volume');
  };

  it('refuses an affine entry beyond the float32 maximum, naming the output', () => {
    const e = writeError([1e39, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(e.code).toBe('bad-argument');
    expect(e.fileName).toBe('out/fq.nii.gz');
    expect(e.message).toMatch(/^out\/fq\.nii\.gz: cannot be written: its header's srow\[0\] would be 1e\+39, beyond the float32 range/);
  });

  it('refuses voxel sizes that overflow float32 although every entry fits', () => {
    const e = writeError([3e38, -3e38, 0, 0, 3e38, 3e38, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(e.message).toMatch(/pixdim\[1\] would be 4\.24.*e\+38/);
  });

  it('refuses an affine that rounds to a singular one in float32', () => {
    expect(writeError([1e-46, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]).message).toMatch(/cannot be written/);
  });

  it('still writes affines at a plausible extreme (1e30 mm voxels) that read back', () => {
    const bytes = writeNifti(volumeWith([1e30, 0, 0, 5, 0, 1e30, 0, 0, 0, 0, 1e30, 0, 0, 0, 0, 1]));
    expect(readNifti(bytes, 'big.nii.gz').volume.affine[0]).toBeCloseTo(1e30, -25);
  });
});
