// End-to-end tests of the CLI on other scan formats: `fqlab conform` on a DICOM series folder and an MHA, and input discovery.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNifti } from '../../src/core/nifti/index.ts';
import { expandScanPaths } from '../../src/cli/session.ts';
import { runCli } from './run-cli.ts';

const fixtures = fileURLToPath(new URL('../fixtures/formats/', import.meta.url));
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fqlab-cli-formats-'));
});

function conform(image: string, outDir: string): { json: Record<string, unknown>; image: Float32Array; stem: string } {
  const result = runCli(['conform', '--image', image, '--out-dir', outDir]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const json = result.json();
  const path = (json.outputs as Record<string, string>).image;
  return { json, image: readNifti(readFileSync(path), path).volume.data, stem: path.split('/').pop() ?? '' };
}

describe('fqlab conform on other formats', () => {
  it('conforms a DICOM series folder and an MHA to the very volume the NIfTI gives', () => {
    const fromNifti = conform(join(fixtures, 'scan.nii.gz'), join(dir, 'nifti'));
    const fromDicom = conform(join(fixtures, 'dicom'), join(dir, 'dicom'));
    const fromMha = conform(join(fixtures, 'scan.mha'), join(dir, 'mha'));
    expect([fromDicom.stem, fromMha.stem]).toEqual(['dicom.nii.gz', 'scan.nii.gz']);
    expect((fromDicom.json.stats as { inputOrientation: string }).inputOrientation).toBe('LAS'); // dcm2niix stores rows bottom-up
    expect(fromDicom.image).toEqual(fromNifti.image);
    expect(fromMha.image).toEqual(fromNifti.image);
    expect(fromDicom.json.stats).toEqual({ ...(fromNifti.json.stats as object), inputOrientation: 'LAS' });
  });

  it('fails with one line naming the folder when it holds no DICOM series', () => {
    const empty = join(dir, 'no-dicom');
    mkdirSync(empty);
    writeFileSync(join(empty, 'README'), 'not an image');
    const result = runCli(['conform', '--image', empty, '--out-dir', join(dir, 'out')]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${empty}: is a folder without DICOM files`)]);
  });
});

describe('expandScanPaths', () => {
  it('finds scan files of every format and takes each folder of DICOM files as one series', () => {
    const root = join(dir, 'study');
    cpSync(join(fixtures, 'dicom'), join(root, 'sub01', 'T2_dicom'), { recursive: true });
    copyFileSync(join(fixtures, 'scan.mha'), join(root, 'sub01', 'flair.mha'));
    copyFileSync(join(fixtures, 'scan.mgz'), join(root, 'sub01', 'orig.mgz'));
    writeFileSync(join(root, 'sub01', 'LICENSE'), 'a file without extension that is not DICOM');
    writeFileSync(join(root, 'notes.txt'), 'ignored');
    expect(expandScanPaths([root])).toEqual({
      files: [join(root, 'sub01', 'flair.mha'), join(root, 'sub01', 'orig.mgz')],
      dicomFolders: [join(root, 'sub01', 'T2_dicom')],
    });
  });
});
