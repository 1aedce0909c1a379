// Seeded augmentation of a healthy template for the demo: small rigid + elastic warp, smooth bias field, Rician noise.
import type { Dims3 } from '../../src/core/volume.ts';
import { rotationMatrix } from './geometry.ts';
import { seededRandom } from './random.ts';

/**
 * Every augmentation knob in one place. Each case draws its parameters uniformly within these ranges (from its
 * own seed), so the two templates spread into a small population of plausible healthy brains.
 */
export const AUGMENTATION_RANGES = {
  /** Rotation about each world axis, degrees: uniform in [-max, max]. */
  maxRotationDeg: 5,
  /** Translation along each world axis, mm: uniform in [-max, max]. */
  maxShiftMm: 3,
  /** Spacing of the cubic B-spline control grid of the elastic warp, mm (smooth, brain-scale folds only). */
  elasticControlSpacingMm: 32,
  /** Each control point moves uniformly in [-d, d] mm per axis, with d drawn from this range. */
  elasticControlDisplacementMm: [2, 4] as const,
  /** Multiplicative bias field exp(b) with |b| <= amplitude over the brain (0.1: about +-10 %). */
  biasAmplitude: [0.05, 0.1] as const,
  /** Rician noise sigma on the 1 mm grid, as a fraction of the white-matter level (about 1-2 % after conform's 2 mm averaging). */
  noiseSigma: [0.03, 0.05] as const,
  /** The white-matter level of a template: this percentile of its brain intensities (WM is T1's brightest large class). */
  noiseReferencePercentile: 85,
};

/** Polynomial degree of the log bias field (as TorchIO's RandomBiasField default). */
const BIAS_POLYNOMIAL_ORDER = 3;
/** Smooth fields (elastic displacement, bias) are evaluated exactly every this many voxels, trilinear in between. */
const FIELD_STEP = 4;

/** One case's augmentation, as recorded in the manifest (values rounded, and used exactly as recorded). */
export interface AugmentationParams {
  rotationDeg: [number, number, number];
  shiftMm: [number, number, number];
  elasticControlSpacingMm: number;
  elasticControlDisplacementMm: number;
  biasAmplitude: number;
  noiseSigma: number;
}

/** The voxel grid the augmented brain is drawn on: dims and row-major voxel-to-world affine. */
export interface Grid {
  readonly dims: Dims3;
  readonly affine: Float64Array;
}

/** For every voxel of the output grid, the world position (mm) in the template that it shows. */
export interface WarpedPositions {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly z: Float32Array;
  /** Largest elastic displacement (mm) over the grid, for the manifest. */
  readonly maxElasticMm: number;
}

const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

/** Draw a case's augmentation parameters from the stream `${seed}/params`. */
export function drawAugmentation(seed: string): AugmentationParams {
  const random = seededRandom(`${seed}/params`);
  const r = AUGMENTATION_RANGES;
  const triple = (max: number, decimals: number): [number, number, number] => [
    round(random.uniform(-max, max), decimals),
    round(random.uniform(-max, max), decimals),
    round(random.uniform(-max, max), decimals),
  ];
  return {
    rotationDeg: triple(r.maxRotationDeg, 2),
    shiftMm: triple(r.maxShiftMm, 2),
    elasticControlSpacingMm: r.elasticControlSpacingMm,
    elasticControlDisplacementMm: round(random.uniform(...r.elasticControlDisplacementMm), 2),
    biasAmplitude: round(random.uniform(...r.biasAmplitude), 3),
    noiseSigma: round(random.uniform(...r.noiseSigma), 4),
  };
}

function worldOf(affine: Float64Array, i: number, j: number, k: number, axis: number): number {
  return affine[axis * 4] * i + affine[axis * 4 + 1] * j + affine[axis * 4 + 2] * k + affine[axis * 4 + 3];
}

/** Cubic B-spline basis weights at fraction t of a control cell. */
function bsplineWeights(t: number, out: Float64Array): void {
  const s = 1 - t;
  out[0] = (s * s * s) / 6;
  out[1] = (3 * t * t * t - 6 * t * t + 4) / 6;
  out[2] = (-3 * t * t * t + 3 * t * t + 3 * t + 1) / 6;
  out[3] = (t * t * t) / 6;
}

/** A smooth field known every FIELD_STEP voxels of a grid (one array per component), interpolated in between. */
interface CoarseField {
  readonly components: Float32Array[];
  readonly dims: Dims3;
}

/** Evaluate `evaluate(world, out)` at every FIELD_STEP-th voxel of `grid` (and one step past the last). */
function coarseField(grid: Grid, componentCount: number, evaluate: (world: number[], out: number[]) => void): CoarseField {
  const dims = grid.dims.map((n) => Math.floor((n - 1) / FIELD_STEP) + 2) as unknown as Dims3;
  const count = dims[0] * dims[1] * dims[2];
  const components = Array.from({ length: componentCount }, () => new Float32Array(count));
  const values = new Array<number>(componentCount).fill(0);
  let o = 0;
  for (let c = 0; c < dims[2]; c++) {
    for (let b = 0; b < dims[1]; b++) {
      for (let a = 0; a < dims[0]; a++, o++) {
        const s = FIELD_STEP;
        evaluate([0, 1, 2].map((axis) => worldOf(grid.affine, a * s, b * s, c * s, axis)), values);
        for (let n = 0; n < componentCount; n++) components[n][o] = values[n];
      }
    }
  }
  return { components, dims };
}

/** Trilinear interpolation of a coarse field at every output voxel: visit(o, i, j, k, values), o the voxel's index. */
function forEachInterpolated(
  field: CoarseField,
  grid: Grid,
  visit: (o: number, i: number, j: number, k: number, values: Float64Array) => void,
): void {
  const [nx, ny, nz] = grid.dims;
  const sy = field.dims[0];
  const sz = field.dims[0] * field.dims[1];
  const values = new Float64Array(field.components.length);
  let o = 0;
  for (let k = 0; k < nz; k++) {
    const ck = Math.floor(k / FIELD_STEP);
    const tk = k / FIELD_STEP - ck;
    for (let j = 0; j < ny; j++) {
      const cj = Math.floor(j / FIELD_STEP);
      const tj = j / FIELD_STEP - cj;
      for (let i = 0; i < nx; i++, o++) {
        const ci = Math.floor(i / FIELD_STEP);
        const ti = i / FIELD_STEP - ci;
        const c = ci + sy * cj + sz * ck;
        for (let n = 0; n < values.length; n++) {
          const f = field.components[n];
          const x00 = f[c] + ti * (f[c + 1] - f[c]);
          const x10 = f[c + sy] + ti * (f[c + sy + 1] - f[c + sy]);
          const x01 = f[c + sz] + ti * (f[c + sz + 1] - f[c + sz]);
          const x11 = f[c + sz + sy] + ti * (f[c + sz + sy + 1] - f[c + sz + sy]);
          const y0 = x00 + tj * (x10 - x00);
          const y1 = x01 + tj * (x11 - x01);
          values[n] = y0 + tk * (y1 - y0);
        }
        visit(o, i, j, k, values);
      }
    }
  }
}

/**
 * Free-form (cubic B-spline) elastic displacement in world mm: control points every `spacing` mm over the
 * grid's world bounding box, each moved uniformly in [-d, d] per axis.
 */
function elasticField(grid: Grid, params: AugmentationParams, seed: string): CoarseField {
  const random = seededRandom(`${seed}/elastic`);
  const spacing = params.elasticControlSpacingMm;
  const d = params.elasticControlDisplacementMm;
  const [nx, ny, nz] = grid.dims;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let corner = 0; corner < 8; corner++) {
    const c = [corner & 1 ? nx - 1 : 0, corner & 2 ? ny - 1 : 0, corner & 4 ? nz - 1 : 0];
    for (let a = 0; a < 3; a++) {
      const w = worldOf(grid.affine, c[0], c[1], c[2], a);
      lo[a] = Math.min(lo[a], w);
      hi[a] = Math.max(hi[a], w);
    }
  }
  // Node m sits at lo + (m - 1) * spacing; the extra nodes cover the spline support on both sides and the
  // coarse field's one step (< spacing) past the grid.
  const nodes = lo.map((l, a) => Math.ceil((hi[a] - l) / spacing) + 5);
  const nodeCount = nodes[0] * nodes[1] * nodes[2];
  const control = [new Float64Array(nodeCount), new Float64Array(nodeCount), new Float64Array(nodeCount)];
  for (let n = 0; n < nodeCount; n++) for (let a = 0; a < 3; a++) control[a][n] = random.uniform(-d, d);
  const weights = [new Float64Array(4), new Float64Array(4), new Float64Array(4)];
  return coarseField(grid, 3, (world, out) => {
    const base = [0, 0, 0];
    for (let a = 0; a < 3; a++) {
      const u = (world[a] - lo[a]) / spacing + 1;
      base[a] = Math.floor(u) - 1;
      bsplineWeights(u - Math.floor(u), weights[a]);
    }
    out.fill(0);
    for (let r = 0; r < 4; r++) {
      for (let q = 0; q < 4; q++) {
        const row = base[0] + nodes[0] * (base[1] + q + nodes[1] * (base[2] + r));
        for (let p = 0; p < 4; p++) {
          const weight = weights[0][p] * weights[1][q] * weights[2][r];
          for (let a = 0; a < 3; a++) out[a] += weight * control[a][row + p];
        }
      }
    }
  });
}

/**
 * Where each output voxel looks in the template: world w -> R (w - centre) + centre + shift + elastic(w), with R the
 * small rotation and centre the grid's centre. Sampling the template (and a lesion mask) at these positions moves
 * the brain by that small rigid + elastic deformation.
 */
export function warpedPositions(grid: Grid, params: AugmentationParams, seed: string): WarpedPositions {
  const [nx, ny, nz] = grid.dims;
  const r = rotationMatrix(params.rotationDeg);
  const affine = grid.affine;
  const centre = [0, 1, 2].map((a) => worldOf(affine, (nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2, a));
  const elastic = elasticField(grid, params, seed);
  const [ex, ey, ez] = elastic.components;
  let maxElastic = 0;
  for (let n = 0; n < ex.length; n++) maxElastic = Math.max(maxElastic, Math.hypot(ex[n], ey[n], ez[n]));
  const count = nx * ny * nz;
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  const z = new Float32Array(count);
  const [tx, ty, tz] = params.shiftMm;
  // Rigid part affine in the voxel index: world position p(i, j, k) = R (A (i, j, k) - centre) + centre + shift.
  const rigid = [0, 1, 2].map((row) => {
    const coefficient = (col: number): number =>
      r[row * 3] * affine[col] + r[row * 3 + 1] * affine[4 + col] + r[row * 3 + 2] * affine[8 + col];
    const offset =
      r[row * 3] * (affine[3] - centre[0]) + r[row * 3 + 1] * (affine[7] - centre[1]) + r[row * 3 + 2] * (affine[11] - centre[2]);
    return [coefficient(0), coefficient(1), coefficient(2), offset + centre[row] + [tx, ty, tz][row]];
  });
  const [rx, ry, rz] = rigid;
  forEachInterpolated(elastic, grid, (o, i, j, k, displacement) => {
    x[o] = rx[0] * i + rx[1] * j + rx[2] * k + rx[3] + displacement[0];
    y[o] = ry[0] * i + ry[1] * j + ry[2] * k + ry[3] + displacement[1];
    z[o] = rz[0] * i + rz[1] * j + rz[2] * k + rz[3] + displacement[2];
  });
  return { x, y, z, maxElasticMm: round(maxElastic, 2) };
}

/**
 * Multiply brain voxels by a smooth bias field exp(b): b is a random polynomial of degree 3 in the grid's
 * normalised world coordinates (no constant term), scaled so max |b| over the brain is `params.biasAmplitude`.
 */
export function applyBiasField(image: Float32Array, brain: Uint8Array, grid: Grid, params: AugmentationParams, seed: string): void {
  const random = seededRandom(`${seed}/bias`);
  const exponents: [number, number, number][] = [];
  for (let a = 0; a <= BIAS_POLYNOMIAL_ORDER; a++) {
    for (let b = 0; a + b <= BIAS_POLYNOMIAL_ORDER; b++) {
      for (let c = 0; a + b + c <= BIAS_POLYNOMIAL_ORDER; c++) if (a + b + c > 0) exponents.push([a, b, c]);
    }
  }
  const coefficients = exponents.map(() => random.uniform(-1, 1));
  const [nx, ny, nz] = grid.dims;
  const centre = [0, 1, 2].map((a) => worldOf(grid.affine, (nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2, a));
  const halfExtent = [0, 1, 2].map((a) => Math.abs(worldOf(grid.affine, nx - 1, ny - 1, nz - 1, a) - centre[a]) || 1);
  const powers = [0, 1, 2].map(() => new Float64Array(BIAS_POLYNOMIAL_ORDER + 1));
  const polynomial = coarseField(grid, 1, (world, out) => {
    for (let a = 0; a < 3; a++) {
      const p = (world[a] - centre[a]) / halfExtent[a];
      powers[a][0] = 1;
      for (let e = 1; e <= BIAS_POLYNOMIAL_ORDER; e++) powers[a][e] = powers[a][e - 1] * p;
    }
    let b = 0;
    for (let t = 0; t < exponents.length; t++) {
      const [ea, eb, ec] = exponents[t];
      b += coefficients[t] * powers[0][ea] * powers[1][eb] * powers[2][ec];
    }
    out[0] = b;
  });
  const logBias = new Float32Array(image.length);
  let maxAbs = 0;
  forEachInterpolated(polynomial, grid, (o, _i, _j, _k, value) => {
    if (brain[o] === 0) return;
    logBias[o] = value[0];
    maxAbs = Math.max(maxAbs, Math.abs(value[0]));
  });
  const scale = maxAbs > 0 ? params.biasAmplitude / maxAbs : 0;
  for (let n = 0; n < image.length; n++) if (brain[n] !== 0) image[n] *= Math.exp(scale * logBias[n]);
}

/** Rician noise on brain voxels, as in magnitude MRI: sqrt((x + sigma n1)^2 + (sigma n2)^2), n1, n2 standard normal. */
export function addRicianNoise(image: Float32Array, brain: Uint8Array, sigma: number, seed: string): void {
  const random = seededRandom(`${seed}/noise`);
  for (let n = 0; n < image.length; n++) {
    if (brain[n] === 0) continue;
    const real = image[n] + sigma * random.normal();
    const imaginary = sigma * random.normal();
    image[n] = Math.sqrt(real * real + imaginary * imaginary);
  }
}
