// Timings of the science core on a 96 x 96 x 50 conformed-size volume (smoothing: a 240 x 240 x 155 scan as read): `npx tsx bench/core.bench.ts`.
import os from 'node:os';
import { curvatureFlow } from '../src/core/conform/curvatureFlow.ts';
import { connectedComponents26, erodeMask2D, medianFilter3D, postprocessMap, removeSmallComponents } from '../src/core/postprocess/index.ts';
import { fqMap, l1Map, ssimLossMap } from '../src/core/quality/index.ts';
import type { Dims3 } from '../src/core/volume.ts';
import { seededRandom } from '../tests/support/seededRandom.ts';

const dims: Dims3 = [96, 96, 50];
const voxels = dims[0] * dims[1] * dims[2];

/**
 * Times fn after warm-up runs; prints the median and fastest wall time of `reps` runs and the fastest
 * CPU time (user + system), which stays meaningful when other processes share the cores.
 */
function time(name: string, fn: () => unknown, reps = 15): void {
  for (let r = 0; r < 3; r++) fn();
  const wall: number[] = [];
  let cpu = Infinity;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  const ms = (v: number): string => v.toFixed(1).padStart(7);
  console.log(`  ${name.padEnd(44)} wall median ${ms(wall[reps >> 1])} ms  min ${ms(wall[0])} ms   cpu min ${ms(cpu)} ms`);
}

/** An ellipsoidal "brain" (about 40 % of the grid, like a conformed scan), an image on it and a noisy reconstruction. */
function syntheticScan(): { brainMask: Uint8Array; image: Float32Array; reconstruction: Float32Array } {
  const rng = seededRandom(1);
  const brainMask = new Uint8Array(voxels);
  const image = new Float32Array(voxels);
  const reconstruction = new Float32Array(voxels);
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++) {
        const p = i + dims[0] * (j + dims[1] * k);
        if (((i - 47.5) / 40) ** 2 + ((j - 47.5) / 46) ** 2 + ((k - 24.5) / 24) ** 2 > 1) continue;
        brainMask[p] = 1;
        image[p] = 0.4 + 0.3 * Math.sin(i / 5) * Math.cos(j / 7) + 0.05 * rng();
        reconstruction[p] = image[p] + 0.08 * (rng() - 0.5);
      }
    }
  }
  return { brainMask, image, reconstruction };
}

function benchQuality(): void {
  console.log('quality (SPEC 4)');
  const { image, reconstruction } = syntheticScan();
  const ssimLoss = ssimLossMap(image, reconstruction, dims);
  const l1 = l1Map(image, reconstruction);
  const out = new Float32Array(voxels);
  time('ssimLossMap', () => ssimLossMap(image, reconstruction, dims, out));
  time('l1Map', () => l1Map(image, reconstruction, out));
  time('fqMap (alpha 0.84, reused buffer)', () => fqMap(ssimLoss, l1, 0.84, out));
}

function benchPostprocess(): void {
  console.log('post-processing (SPEC 5.1-5.2, 5.5)');
  const { brainMask, image, reconstruction } = syntheticScan();
  const fq = fqMap(ssimLossMap(image, reconstruction, dims), l1Map(image, reconstruction), 0.84);
  const eroded = erodeMask2D(brainMask, dims);
  const masked = fq.map((v, p) => v * eroded[p]);
  time('erodeMask2D (3 iterations)', () => erodeMask2D(brainMask, dims));
  const dense = Float32Array.from(fq, (v, p) => v + p * 1e-9 + 0.01);
  // Both kernels, interleaved per map, so their ratio comes from one run.
  for (const kernel of ['wasm-simd', 'js'] as const) time(`medianFilter3D ${kernel}, masked FQ map`, () => medianFilter3D(masked, dims, 5, kernel), 9);
  for (const kernel of ['wasm-simd', 'js'] as const) time(`medianFilter3D ${kernel}, dense random map`, () => medianFilter3D(dense, dims, 5, kernel), 5);
  time('postprocessMap (defaults)', () => postprocessMap(fq, brainMask, dims), 9);
  const binary = Uint8Array.from(masked, (v) => (v > 0.04 ? 1 : 0));
  let foreground = 0;
  for (const v of binary) foreground += v;
  time(`connectedComponents26 (${((100 * foreground) / voxels).toFixed(0)} % foreground)`, () => connectedComponents26(binary, dims));
  time('removeSmallComponents (<= 7 voxels)', () => removeSmallComponents(binary, dims));
}

function benchSmoothing(): void {
  console.log('smoothing at read time (SPEC 1 step 0)');
  // A BraTS-sized scan as read: 240 x 240 x 155 at 1 mm, a noisy ellipsoidal head on a zero background.
  const scanDims: Dims3 = [240, 240, 155];
  const rng = seededRandom(2);
  const data = new Float32Array(scanDims[0] * scanDims[1] * scanDims[2]);
  for (let k = 0, p = 0; k < scanDims[2]; k++) {
    for (let j = 0; j < scanDims[1]; j++) {
      for (let i = 0; i < scanDims[0]; i++, p++) {
        const inside = ((i - 119.5) / 75) ** 2 + ((j - 119.5) / 95) ** 2 + ((k - 77) / 70) ** 2 <= 1;
        data[p] = inside ? 600 + 300 * Math.sin(i / 9) * Math.cos(j / 11) + 60 * rng() : 0;
      }
    }
  }
  const scan = { dims: scanDims, data, affine: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), spacing: [1, 1, 1] as const };
  time('curvatureFlow 240x240x155 (3 x 0.125)', () => curvatureFlow(scan), 5);
}

// One function per section; add new sections to this list.
const sections: (() => void)[] = [benchQuality, benchPostprocess, benchSmoothing];

console.log(`fqlab core bench, grid ${dims.join(' x ')}, node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
for (const section of sections) section();
