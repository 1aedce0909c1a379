// npm run make-templates: rebuilds public/templates, the 2 mm MNI template that fqlab registers raw scans to.
/**
 * Usage: npm run make-templates -- [--sources DIR] [--out DIR]
 *   --sources DIR  a folder holding usr/share/mricron/templates/{ch2,ch2bet}.nii.gz (Debian package mricron-data
 *                  unpacked with dpkg -x); without it, `apt-get download mricron-data` into a temporary folder
 *   --out DIR      default public/templates
 *
 * From Colin27 (1 mm, MNI space): ch2.nii.gz (with skull) and ch2bet.nii.gz (skull-stripped, the same grid), each
 * 2x2x2 block-averaged to 2 mm and scaled to [0, 1]; the brain mask is ch2bet > 0 block-averaged too, so it keeps
 * the partial volume of the 1 mm mask (fqlab interpolates it and thresholds at 0.5). Output is byte-identical on rerun.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNifti } from '../../src/core/nifti/index.ts';
import { blockAverage } from '../../src/core/registration/resample.ts';
import { TEMPLATE_FILES } from '../../src/core/registration/templateFiles.ts';
import type { Volume } from '../../src/core/volume.ts';
import { encodeUnitImage } from '../make-demo/niftiOutput.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES_IN_PACKAGE = 'usr/share/mricron/templates';

function parseArgs(argv: readonly string[]): { sources: string | null; out: string } {
  const options = { sources: null as string | null, out: path.join(REPO_ROOT, 'public/templates') };
  for (let n = 0; n < argv.length; n++) {
    if ((argv[n] === '--sources' || argv[n] === '--out') && n + 1 < argv.length) {
      options[argv[n] === '--sources' ? 'sources' : 'out'] = path.resolve(argv[++n]);
    } else {
      throw new Error(`make-templates: unknown argument '${argv[n]}'. Usage: make-templates [--sources DIR] [--out DIR]`);
    }
  }
  return options;
}

function fetchMricronData(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'fqlab-template-sources-'));
  console.log(`apt-get download mricron-data into ${folder}`);
  execFileSync('apt-get', ['download', 'mricron-data'], { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'] });
  const deb = readdirSync(folder).find((name) => name.endsWith('.deb'));
  if (!deb) throw new Error(`make-templates: apt-get download mricron-data left no .deb in ${folder}`);
  execFileSync('dpkg', ['-x', deb, '.'], { cwd: folder });
  return folder;
}

function readSource(root: string, name: string): Volume {
  const file = path.join(root, TEMPLATES_IN_PACKAGE, name);
  if (!existsSync(file)) throw new Error(`make-templates: ${file} is missing; pass --sources with the unpacked mricron-data package.`);
  return readNifti(new Uint8Array(readFileSync(file)), file).volume;
}

/** 2 mm block means scaled by the 1 mm maximum, so the image lies in [0, 1] like fqlab's uint8 demo volumes. */
function toUnitTwoMillimetre(volume: Volume): Volume {
  let max = 0;
  for (const v of volume.data) max = Math.max(max, v);
  const coarse = blockAverage(volume, [2, 2, 2]);
  return { ...coarse, data: coarse.data.map((v) => v / max) };
}

const options = parseArgs(process.argv.slice(2));
const sources = options.sources ?? fetchMricronData();
const head = readSource(sources, 'ch2.nii.gz');
const brain = readSource(sources, 'ch2bet.nii.gz');
if (!options.sources) rmSync(sources, { recursive: true, force: true });
const mask = { ...brain, data: brain.data.map((v) => (v > 0 ? 1 : 0)) };
mkdirSync(options.out, { recursive: true });
const outputs: [string, Volume, string][] = [
  [TEMPLATE_FILES.head, toUnitTwoMillimetre(head), 'Colin27 T1 with skull, 2 mm (MNI)'],
  [TEMPLATE_FILES.brain, toUnitTwoMillimetre(brain), 'Colin27 T1 skull-stripped, 2 mm (MNI)'],
  [TEMPLATE_FILES.brainMask, blockAverage(mask, [2, 2, 2]), 'Colin27 brain mask, 2 mm partial volume'],
];
for (const [name, volume, description] of outputs) {
  const bytes = encodeUnitImage(volume, description);
  writeFileSync(path.join(options.out, name), bytes);
  console.log(`${name}: ${volume.dims.join('x')}, ${(bytes.length / 1024).toFixed(0)} KiB`);
}
