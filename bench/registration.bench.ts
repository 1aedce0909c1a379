// Timings of template registration in Node (elastix WASM, one thread) on the real scans of ../shared/data: `npx tsx bench/registration.bench.ts`.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readShippedTemplates, runElastixNode } from '../src/cli/registration.ts';
import { readNifti } from '../src/core/nifti/index.ts';
import { registerToTemplate, warpTemplateMask, type RegistrationStage } from '../src/core/registration/index.ts';
import type { Volume } from '../src/core/volume.ts';

const data = [fileURLToPath(new URL('../../shared/data/', import.meta.url)), '/work/shared/data/'].find((dir) => existsSync(`${dir}README.md`));
const read = (path: string): Volume => readNifti(new Uint8Array(readFileSync(path)), path).volume;

function dice(a: Float32Array, b: Float32Array): number {
  let both = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i] && b[i] ? 1 : 0;
    sum += (a[i] ? 1 : 0) + (b[i] ? 1 : 0);
  }
  return (2 * both) / sum;
}

/**
 * A raw-looking scan simulated from a skull-stripped one (no real skull-on scan may be used here): outside the brain
 * mask, 3 voxels of bright CSF, 5 of dark bone, 5 of scalp (6-neighbour distance), then Rayleigh-like background noise.
 */
function withSyntheticSkull(scan: Volume, mask: Volume): Volume {
  const [nx, ny, nz] = scan.dims;
  const distance = new Int16Array(scan.data.length).fill(-1);
  let front: number[] = [];
  mask.data.forEach((v, n) => {
    if (v !== 0) {
      distance[n] = 0;
      front.push(n);
    }
  });
  for (let d = 1; d <= 13; d++) {
    const next: number[] = [];
    for (const n of front) {
      const [i, j, k] = [n % nx, Math.floor(n / nx) % ny, Math.floor(n / (nx * ny))];
      for (const [di, dj, dk] of [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]) {
        const [a, b, c] = [i + di, j + dj, k + dk];
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
        const m = a + nx * (b + ny * c);
        if (distance[m] === -1) {
          distance[m] = d;
          next.push(m);
        }
      }
    }
    front = next;
  }
  const max = scan.data.reduce((a, b) => Math.max(a, b), 0);
  let seed = 12345;
  const noise = (): number => max * 0.03 * Math.sqrt(-2 * Math.log((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 + 1e-9));
  const data = scan.data.map((v, n) => {
    const d = distance[n];
    if (d === 0) return v;
    if (d > 0 && d <= 3) return 0.8 * max;
    if (d > 3 && d <= 8) return 0.05 * max + noise();
    if (d > 8) return 0.6 * max;
    return noise();
  });
  return { ...scan, data };
}

if (!data) {
  console.log('  skipped: no shared data folder (../shared/data)');
} else {
  const templates = readShippedTemplates();
  for (const [image, mask, skull] of [
    ['healthy/IXI002_T2.nii.gz', 'healthy/IXI002_T2_brainmask.nii.gz', false],
    ['healthy/IXI002_T1.nii.gz', 'healthy/IXI002_T1_brainmask.nii.gz', false],
    ['healthy/IXI002_T2.nii.gz', 'healthy/IXI002_T2_brainmask.nii.gz', true],
  ] as const) {
    const truth = read(`${data}${mask}`);
    const scan = skull ? withSyntheticSkull(read(`${data}${image}`), truth) : read(`${data}${image}`);
    const stageStart: Partial<Record<RegistrationStage | 'preparing', number>> = {};
    const started = performance.now();
    const registration = await registerToTemplate(scan, image, templates, runElastixNode, {
      onProgress: (p) => (stageStart[p.stage] ??= performance.now()),
    });
    const registered = performance.now();
    const warped = warpTemplateMask(templates.brainMask, scan, registration.scanToTemplate);
    const done = performance.now();
    const s = (a: number, b: number): string => `${((b - a) / 1000).toFixed(1)} s`;
    console.log(
      `  ${(skull ? `${image} + synthetic skull` : image).padEnd(44)} ${registration.template} template: prepare ${s(started, stageStart.rigid!)}, rigid ${s(stageStart.rigid!, stageStart.affine!)}, ` +
        `affine ${s(stageStart.affine!, registered)}, mask warp ${s(registered, done)}; total ${s(started, done)}; Dice vs its mask ${dice(warped.data, truth.data).toFixed(3)}`,
    );
  }
}
