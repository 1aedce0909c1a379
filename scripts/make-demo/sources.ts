// Where the demo's shippable sources come from: ../shared/data, or the Debian and npm packages that ship them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readNifti } from '../../src/core/nifti/index.ts';
import type { Volume } from '../../src/core/volume.ts';

/** The two templates the demo is built from. */
export type TemplateName = 'colin27' | 'icbm152-2009';

/** Where each source file lies inside one folder. */
export interface SourceLayout {
  /** What the folder is, for the manifest and messages. */
  readonly origin: string;
  readonly root: string;
  readonly templates: Readonly<Record<TemplateName, string>>;
  lesion(id: number): string;
}

/** Where each source comes from and under what terms (copied into the manifest). */
export const SOURCE_NOTES: Readonly<Record<TemplateName | 'lesions', string>> = {
  colin27:
    'Colin27 (average of 27 T1 scans of one healthy brain), skull-stripped, 1 mm, MNI space: Debian package mricron-data, templates/ch2bet.nii.gz (BSD-3 per Debian; MNI template)',
  'icbm152-2009':
    'ICBM 2009 nonlinear population average T1, skull-stripped, 0.737 mm, MNI space: npm package @niivue/niivue@0.21.1, src/mni152.nii.gz (BSD-2 package; MNI ICBM 2009 notice: free use with attribution)',
  lesions:
    'simulated stroke-like lesion maps 1..24 (right hemisphere, 11-45 ml) on the Colin27 grid: Debian package mricron-doc, examples/dataset/<n>.voi (gzipped NIfTI; BSD-3 per Debian)',
};

/** The fqlab shared data folder (see its README.md): the same files under stable names. */
export function sharedDataLayout(root: string): SourceLayout {
  return {
    origin: 'shared data folder',
    root,
    templates: { colin27: 'healthy/colin27_T1.nii.gz', 'icbm152-2009': 'healthy/icbm152_2009_T1.nii.gz' },
    lesion: (id) => `simulated-lesion-masks/lesion_${String(id).padStart(2, '0')}.nii.gz`,
  };
}

/** The packages unpacked into one folder (dpkg -x of both .debs, and the npm tarball's package/ folder). */
export function registryLayout(root: string): SourceLayout {
  return {
    origin: 'Debian mricron-data + mricron-doc, npm @niivue/niivue@0.21.1',
    root,
    templates: { colin27: 'usr/share/mricron/templates/ch2bet.nii.gz', 'icbm152-2009': 'package/src/mni152.nii.gz' },
    lesion: (id) => `usr/share/doc/mricron/examples/dataset/${id}.voi`,
  };
}

/** How to get the sources by hand: the one message shown when they are missing. */
export const MISSING_SOURCES_HELP = [
  'The demo is built from three freely redistributable sources, and none was found.',
  'Either put the fqlab shared data folder next to the repository (../shared/data, with healthy/colin27_T1.nii.gz,',
  'healthy/icbm152_2009_T1.nii.gz and simulated-lesion-masks/lesion_01..24.nii.gz), or rerun with --fetch to download',
  'the registry packages that ship them (needs apt-get + dpkg, i.e. Debian or Ubuntu, and npm), or do it by hand:',
  '  mkdir src && cd src && apt-get download mricron-data mricron-doc && for d in *.deb; do dpkg -x "$d" .; done',
  '  npm pack @niivue/niivue@0.21.1 && tar xzf niivue-niivue-0.21.1.tgz package/src/mni152.nii.gz',
  'and pass that folder with --sources src.',
].join('\n');

/** The layout found in `folder` (shared data or unpacked packages), or null when it holds neither. */
export function detectLayout(folder: string): SourceLayout | null {
  for (const layout of [sharedDataLayout(folder), registryLayout(folder)]) {
    if (existsSync(path.join(folder, layout.templates.colin27))) return layout;
  }
  return null;
}

/** Download the packages into a new temporary folder and unpack the files the demo needs (for --fetch). */
export function fetchFromRegistries(): SourceLayout {
  const folder = mkdtempSync(path.join(tmpdir(), 'fqlab-demo-sources-'));
  const run = (command: string, args: string[]): void => {
    console.log(`  ${command} ${args.join(' ')}`);
    execFileSync(command, args, { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'] });
  };
  run('apt-get', ['download', 'mricron-data', 'mricron-doc']);
  for (const deb of readdirSync(folder).filter((name) => name.endsWith('.deb')).sort()) run('dpkg', ['-x', deb, '.']);
  run('npm', ['pack', '--silent', '@niivue/niivue@0.21.1']);
  run('tar', ['xzf', 'niivue-niivue-0.21.1.tgz', 'package/src/mni152.nii.gz']);
  return registryLayout(folder);
}

/** Read one source file as a volume; masks are binarised (non-zero = 1; MRIcron's .voi store 0.99999998). */
export function loadSource(layout: SourceLayout, relative: string, binarise: boolean): Volume {
  const file = path.join(layout.root, relative);
  if (!existsSync(file)) throw new Error(`${file}: missing from the ${layout.origin}.\n${MISSING_SOURCES_HELP}`);
  const { volume } = readNifti(new Uint8Array(readFileSync(file)), file);
  if (!binarise) return volume;
  return { ...volume, data: volume.data.map((v) => (v !== 0 ? 1 : 0)) };
}

/** Short content digest of a volume (voxel values and affine), so reruns can tell whether their sources match. */
export function volumeDigest(volume: Volume): string {
  const hash = createHash('sha256');
  hash.update(new Uint8Array(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength));
  hash.update(new Uint8Array(volume.affine.buffer, volume.affine.byteOffset, volume.affine.byteLength));
  return hash.digest('hex').slice(0, 16);
}
