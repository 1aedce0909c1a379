// Template registration's pure parts: elastix transform maps, LPS/RAS, ITK images, resampling and the mask warp on a known affine.
import { describe, expect, it } from 'vitest';
import { multiplyAffine, voxelToWorld } from '../../src/core/conform/affine.ts';
import {
  blockAverage,
  constantBackgroundShare,
  elastixChainTransform,
  elastixMapTransform,
  invertAffine,
  lpsAlignedGrid,
  registerToTemplate,
  resampleThrough,
  stageParameterMap,
  swapLpsRas,
  volumeToItkImage,
  warpTemplateMask,
  REGISTRATION_SETTINGS,
  type ElastixRequest,
  type RegistrationTemplates,
} from '../../src/core/registration/index.ts';
import type { Dims3, Volume } from '../../src/core/volume.ts';

type Point = [number, number, number];

function apply(transform: ArrayLike<number>, p: Point): Point {
  return [0, 1, 2].map((r) => transform[r * 4] * p[0] + transform[r * 4 + 1] * p[1] + transform[r * 4 + 2] * p[2] + transform[r * 4 + 3]) as Point;
}

function volumeOf(dims: Dims3, affine: number[], value: (world: Point) => number): Volume {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, n = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, n++) data[n] = value(voxelToWorld(affine, i, j, k));
  const spacing = [0, 1, 2].map((c) => Math.hypot(affine[c], affine[4 + c], affine[8 + c])) as [number, number, number];
  return { dims, data, affine: Float64Array.from(affine), spacing };
}

function dice(a: Float32Array, b: Float32Array): number {
  let both = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i] !== 0 && b[i] !== 0 ? 1 : 0;
    sum += (a[i] !== 0 ? 1 : 0) + (b[i] !== 0 ? 1 : 0);
  }
  return (2 * both) / sum;
}

const map = (entries: Record<string, string>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, value.split(' ')]));

describe('elastix transforms', () => {
  it('reads an Euler map as R (p - c) + c + t with ITK angle order Z * X * Y', () => {
    const euler = map({ Transform: 'EulerTransform', TransformParameters: `0 0 ${Math.PI / 2} 1 2 3`, CenterOfRotationPoint: '10 0 0' });
    // 90 degrees about z around (10, 0, 0): (11, 0, 0) -> (10, 1, 0), then shifted by t.
    expect(apply(elastixMapTransform(euler), [11, 0, 0]).map((v) => +v.toFixed(9))).toEqual([11, 3, 3]);
    // Small rotations about x then y: ITK's default is Rz Rx Ry, ComputeZYX gives Rz Ry Rx; they differ.
    const angles = '0.3 0.4 0 0 0 0';
    const zxy = elastixMapTransform(map({ Transform: 'EulerTransform', TransformParameters: angles, CenterOfRotationPoint: '0 0 0' }));
    const zyx = elastixMapTransform(map({ Transform: 'EulerTransform', TransformParameters: angles, CenterOfRotationPoint: '0 0 0', ComputeZYX: 'true' }));
    const [cx, sx, cy, sy] = [Math.cos(0.3), Math.sin(0.3), Math.cos(0.4), Math.sin(0.4)];
    // Rx * Ry, row 0: [cy, 0, sy]; row 1: [sx sy, cx, -sx cy].
    expect([zxy[0], zxy[1], zxy[2], zxy[4], zxy[5], zxy[6]].map((v) => +v.toFixed(12))).toEqual(
      [cy, 0, sy, sx * sy, cx, -sx * cy].map((v) => +v.toFixed(12)),
    );
    expect(Math.abs(zyx[1] - zxy[1])).toBeGreaterThan(0.05);
  });

  it('reads an affine map row-major and applies a chain first map first', () => {
    const affine = map({ Transform: 'AffineTransform', TransformParameters: '2 0 0 0 1 0 0 0 1 0 0 5', CenterOfRotationPoint: '1 0 0' });
    const shift = map({ Transform: 'TranslationTransform', TransformParameters: '1 0 0' });
    expect(apply(elastixMapTransform(affine), [3, 1, 1])).toEqual([5, 1, 6]);
    // shift first: (3,1,1) -> (4,1,1) -> 2 * (4 - 1) + 1 = 7.
    expect(apply(elastixChainTransform([shift, affine]), [3, 1, 1])).toEqual([7, 1, 6]);
  });

  it('moves a transform between LPS and RAS points, and inverts it', () => {
    const lps = elastixMapTransform(map({ Transform: 'TranslationTransform', TransformParameters: '1 2 3' }));
    // +1 mm towards left (LPS x) is -1 mm in RAS x.
    expect(apply(swapLpsRas(lps), [0, 0, 0])).toEqual([-1, -2, 3]);
    const t = Float64Array.from([0, -2, 0, 4, 1.5, 0, 0.2, -1, 0, 0, 3, 7, 0, 0, 0, 1]);
    const round = multiplyAffine(invertAffine(t), t).map((v) => +v.toFixed(12) + 0);
    expect(Array.from(round)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });
});

describe('ITK images and resampling', () => {
  it('gives an LAS volume an LPS origin and direction, sharing its voxels', () => {
    const volume = volumeOf([2, 3, 4], [-2, 0, 0, 10, 0, 3, 0, -20, 0, 0, 4, 30, 0, 0, 0, 1], () => 1);
    const image = volumeToItkImage(volume, 'scan');
    expect(image.origin).toEqual([-10, 20, 30]);
    expect(Array.from(image.direction, (v) => v + 0)).toEqual([1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(image.spacing).toEqual([2, 3, 4]);
    expect(image.size).toEqual([2, 3, 4]);
    expect(image.data).toBe(volume.data);
  });

  it('block-averages with the block centre as the new voxel position', () => {
    const volume = volumeOf([4, 2, 2], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], ([x]) => x);
    const coarse = blockAverage(volume, [2, 2, 2]);
    expect(coarse.dims).toEqual([2, 1, 1]);
    expect(Array.from(coarse.data)).toEqual([0.5, 2.5]);
    expect(voxelToWorld(coarse.affine, 1, 0, 0)).toEqual([2.5, 0.5, 0.5]);
  });

  it('covers a grid with an LPS-aligned one and resamples a linear ramp exactly', () => {
    const scan = volumeOf([20, 16, 12], [0, 1.2, 0, -5, -1.1, 0, 0, 8, 0, 0, 1.5, -3, 0, 0, 0, 1], ([x, y, z]) => 2 * x - y + 0.5 * z);
    const grid = lpsAlignedGrid(scan, 2);
    expect([grid.affine[0], grid.affine[5], grid.affine[10]]).toEqual([-2, -2, 2]);
    const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const resampled = resampleThrough(scan, grid, identity, 'linear', Number.NaN);
    let checked = 0;
    for (let k = 0; k < grid.dims[2]; k++) {
      for (let j = 0; j < grid.dims[1]; j++) {
        for (let i = 0; i < grid.dims[0]; i++) {
          const value = resampled.data[i + grid.dims[0] * (j + grid.dims[1] * k)];
          const [x, y, z] = voxelToWorld(grid.affine, i, j, k);
          const inside = [i, j, k].every((v, a) => v > 0 && v < grid.dims[a] - 1);
          if (!Number.isNaN(value) && inside) {
            expect(value).toBeCloseTo(2 * x - y + 0.5 * z, 3);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

/** A partial-volume ellipsoid "brain mask" on a 2 mm template grid, as the shipped template's mask. */
const templateMask = volumeOf([40, 48, 40], [-2, 0, 0, 40, 0, 2, 0, -48, 0, 0, 2, -40, 0, 0, 0, 1], ([x, y, z]) => {
  const r = Math.hypot(x / 30, (y + 5) / 38, z / 28);
  return Math.min(1, Math.max(0, (1 - r) * 15 + 0.5));
});

describe('atlas-based skull stripping', () => {
  it('warps the template mask onto an oblique scan grid through a known affine', () => {
    // Scan voxel -> scan world: oblique and anisotropic; scan world -> template world: rotation, scale, shift.
    const scanAffine = [0.9, 0.1, 0, -60, -0.1, 0.95, 0, -70, 0, 0, 1.3, -55, 0, 0, 0, 1];
    const scanGrid = { dims: [130, 150, 90] as Dims3, affine: Float64Array.from(scanAffine) };
    const angle = 0.2;
    const scanToTemplate = [
      1.1 * Math.cos(angle), -Math.sin(angle), 0, 4,
      1.1 * Math.sin(angle), Math.cos(angle), 0, -6,
      0, 0, 0.9, 3,
      0, 0, 0, 1,
    ];
    const warped = warpTemplateMask(templateMask, scanGrid, scanToTemplate);
    const truth = volumeOf(scanGrid.dims, scanAffine, (p) => {
      const [x, y, z] = apply(scanToTemplate, p);
      return Math.hypot(x / 30, (y + 5) / 38, z / 28) <= 1 ? 1 : 0;
    });
    expect(warped.affine).toEqual(scanGrid.affine);
    expect(dice(warped.data, truth.data)).toBeGreaterThan(0.98);
    // The same lookup through the inverse (the wrong direction) misses by far.
    expect(dice(warpTemplateMask(templateMask, scanGrid, invertAffine(scanToTemplate)).data, truth.data)).toBeLessThan(0.9);
  });

  it('tells skull-stripped scans (constant background) from raw ones and picks the template', async () => {
    const stripped = volumeOf([10, 10, 10], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], ([x]) => (x > 6 ? x : 0));
    const raw = { ...stripped, data: stripped.data.map((v, i) => v + 0.01 * ((i * 7919) % 13)) };
    expect(constantBackgroundShare(stripped)).toBe(0.7);
    expect(constantBackgroundShare(raw)).toBeLessThan(REGISTRATION_SETTINGS.strippedBackgroundShare);

    const templates: RegistrationTemplates = { head: templateMask, brain: { ...templateMask, data: templateMask.data.map((v) => 2 * v) }, brainMask: templateMask };
    const requests: ElastixRequest[] = [];
    const fakeElastix = async (request: ElastixRequest) => {
      requests.push(request);
      const rigid = map({ Transform: 'EulerTransform', TransformParameters: '0 0 0 1 0 0', CenterOfRotationPoint: '0 0 0' });
      const affine = map({ Transform: 'AffineTransform', TransformParameters: '1 0 0 0 1 0 0 0 1 0 2 0', CenterOfRotationPoint: '0 0 0' });
      return request.initialTransformParameterObject ? [rigid, affine] : [rigid];
    };
    const registration = await registerToTemplate(raw, 'raw.nii', templates, fakeElastix);
    expect(registration.template).toBe('head');
    expect(requests.map((r) => r.parameterMap.Transform[0])).toEqual(['EulerTransform', 'AffineTransform']);
    expect(requests[0].parameterMap.Metric).toEqual(['AdvancedMattesMutualInformation']);
    // Fixed = the scan (3 mm copy), moving = the head template (values up to 1; the brain one goes up to 2).
    expect(requests[0].fixed.spacing).toEqual([3, 3, 3]);
    expect(Math.max(...requests[0].moving.data)).toBe(1);
    // LPS (+1, +2, 0) is RAS (-1, -2, 0).
    expect(apply(registration.scanToTemplate, [0, 0, 0])).toEqual([-1, -2, 0]);
    expect((await registerToTemplate(stripped, 'stripped.nii', templates, fakeElastix)).template).toBe('brain');
    expect(stageParameterMap('rigid', REGISTRATION_SETTINGS).AutomaticTransformInitialization).toEqual(['true']);
  });
});
