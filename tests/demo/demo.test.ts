// The shipped demo data (public/demo) is complete and consistent, and the demo maker's geometry and lesion model are exact.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../src/core/nifti/index.ts';
import type { NiftiImage } from '../../src/core/nifti/index.ts';
import { drawAugmentation, warpedPositions, type AugmentationParams } from '../../scripts/make-demo/augmentation.ts';
import { invertAffine, rotationMatrix } from '../../scripts/make-demo/geometry.ts';
import type { DemoManifest } from '../../scripts/make-demo/manifest.ts';
import { DEMO_PLAN } from '../../scripts/make-demo/plan.ts';
import { sampleVolume } from '../../scripts/make-demo/sampling.ts';
import { LESION_MODEL, withMassEffect, type LesionKind } from '../../scripts/make-demo/lesions.ts';
import { seededRandom } from '../../scripts/make-demo/random.ts';
import { tissueLevels } from '../../scripts/make-demo/tissues.ts';
import { exactBestDiceThreshold, type ScoredVolume } from '../../src/core/metrics/index.ts';

const demoDir = new URL('../../public/demo/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', demoDir), 'utf8')) as DemoManifest;
// Each volume is decoded once and shared by the tests that read it.
const decoded = new Map<string, NiftiImage>();
const read = (name: string): NiftiImage => {
  if (!decoded.has(name)) decoded.set(name, readNifti(new Uint8Array(readFileSync(new URL(name, demoDir))), name));
  return decoded.get(name) as NiftiImage;
};

describe('public/demo manifest', () => {
  it('says the anomalies are synthetic and credits the sources', () => {
    expect(manifest.format).toBe('fqlab-demo/1');
    expect(manifest.syntheticAnomalies).toBe(true);
    expect(manifest.description).toMatch(/SYNTHETIC/);
    expect(manifest.attribution).toBe(
      'Colin27 and ICBM 2009 templates courtesy of the Montreal Neurological Institute; simulated lesion maps from MRIcron (C. Rorden).',
    );
    const readme = readFileSync(new URL('README.md', demoDir), 'utf8');
    expect(readme).toContain(manifest.attribution);
    expect(readme).toMatch(/synthetic/i);
  });

  it('lists exactly the planned cases, in the documented splits', () => {
    expect(manifest.cases.map((c) => c.id)).toEqual(DEMO_PLAN.map((c) => c.id));
    const bySplit = (split: string) => manifest.cases.filter((c) => c.split === split);
    expect(bySplit('healthy-train')).toHaveLength(8);
    expect(bySplit('validation')).toHaveLength(6);
    expect(bySplit('test')).toHaveLength(8);
    expect(bySplit('healthy-train').every((c) => c.lesions.length === 0 && c.files.seg === undefined)).toBe(true);
    expect(bySplit('test').every((c) => c.lesions.length > 0 && c.files.seg !== undefined)).toBe(true);
    const validation = bySplit('validation');
    expect(validation.filter((c) => c.lesions.length === 0)).toHaveLength(2);
    expect(validation.filter((c) => c.lesions.length > 0)).toHaveLength(4);
    for (const c of manifest.cases) {
      expect(c.modality).toBe('T1');
      expect(c.files.seg !== undefined).toBe(c.lesions.length > 0);
    }
  });

  it('uses disjoint lesion maps for validation and test', () => {
    const ids = (split: string) => new Set(manifest.cases.filter((c) => c.split === split).flatMap((c) => c.lesions.map((l) => l.lesionId)));
    const validation = ids('validation');
    const test = ids('test');
    expect(validation.size).toBeGreaterThan(0);
    expect(test.size).toBeGreaterThan(0);
    expect([...validation].filter((id) => test.has(id))).toEqual([]);
    for (const id of [...validation, ...test]) expect(id >= 1 && id <= 24).toBe(true);
  });

  it('holds only the listed files (plus the models folder), a few MB in all', () => {
    const listed = new Set(manifest.cases.flatMap((c) => Object.values(c.files)));
    const present = readdirSync(demoDir).filter((name) => !['manifest.json', 'README.md', 'models', 'real'].includes(name));
    expect(new Set(present)).toEqual(listed);
    const bytes = present.reduce((sum, name) => sum + statSync(new URL(name, demoDir)).size, 0);
    expect(bytes).toBeLessThan(5.2e6);
  });

  it('ships the two checkpoints the workbench opens, with their training logs', () => {
    const models = new URL('models/', demoDir);
    for (const name of ['pddpm-iqa', 'pddpm']) {
      const checkpoint = readFileSync(new URL(`${name}.fqlab`, models));
      expect(new TextDecoder().decode(checkpoint.subarray(0, 8))).toBe('FQLABCK1');
      expect(checkpoint.length).toBeLessThan(2e6);
      const log = JSON.parse(readFileSync(new URL(`${name}.training.json`, models), 'utf8')) as { model: { loss: string; step: number } };
      expect(log.model).toMatchObject({ loss: name === 'pddpm' ? 'l1' : 'fq', step: 600 });
    }
  });
});

describe('public/demo volumes', () => {
  for (const c of manifest.cases) {
    it(`${c.id}: conformed 96x96x50 image in [0, 1], brain mask and seg on one grid`, () => {
      for (const name of Object.values(c.files)) expect(existsSync(new URL(name, demoDir))).toBe(true);
      const image = read(c.files.image);
      const mask = read(c.files.brainMask);
      const seg = c.files.seg ? read(c.files.seg) : null;
      expect(image.header.datatypeName).toBe('uint8');
      expect(image.header.sclSlope).toBeCloseTo(1 / 255, 9);
      for (const nifti of [image, mask, ...(seg ? [seg] : [])]) {
        expect(nifti.volume.dims).toEqual([96, 96, 50]);
        expect(nifti.volume.spacing.map((s) => Number(s.toFixed(5)))).toEqual([2, 2, 2]);
        expect(Array.from(nifti.volume.affine)).toEqual(Array.from(image.volume.affine));
      }
      // Count violations instead of calling expect per voxel (460,800 voxels).
      let brainVoxels = 0;
      let lesionVoxels = 0;
      let brainSum = 0;
      const bad = { maskNotBinary: 0, imageOutsideUnitRange: 0, backgroundNotZero: 0, segNotBinary: 0, lesionOutsideBrain: 0 };
      const x = image.volume.data;
      for (let n = 0; n < x.length; n++) {
        const inBrain = mask.volume.data[n];
        if (inBrain !== 0 && inBrain !== 1) bad.maskNotBinary++;
        if (!(x[n] >= 0 && x[n] <= 1)) bad.imageOutsideUnitRange++;
        if (inBrain === 0 && x[n] !== 0) bad.backgroundNotZero++;
        brainVoxels += inBrain;
        brainSum += x[n];
        if (seg) {
          const label = seg.volume.data[n];
          if (label !== 0 && label !== 1) bad.segNotBinary++;
          if (label !== 0 && inBrain !== 1) bad.lesionOutsideBrain++;
          lesionVoxels += label;
        }
      }
      expect(bad).toEqual({ maskNotBinary: 0, imageOutsideUnitRange: 0, backgroundNotZero: 0, segNotBinary: 0, lesionOutsideBrain: 0 });
      expect(brainVoxels).toBe(c.stats.brainVoxels);
      expect(lesionVoxels).toBe(c.stats.lesionVoxels);
      expect(brainSum / brainVoxels).toBeCloseTo(c.stats.meanBrainIntensity, 2);
      // A brain fills a good part of the grid; a lesion is a small part of the brain.
      expect(brainVoxels).toBeGreaterThan(0.3 * x.length);
      if (seg) expect(lesionVoxels).toBeGreaterThan(0.005 * brainVoxels);
      if (seg) expect(lesionVoxels).toBeLessThan(0.1 * brainVoxels);
    });
  }

  it('fills lesions with normal-tissue intensities: no intensity threshold, dark or bright, separates them', () => {
    // Pooled over every lesion case, the best Dice of any threshold on the raw intensity (lesion darker, or
    // brighter, than the threshold). The old T1-hypointense demo reached 0.20 here; intensity alone must not.
    const lesionCases = manifest.cases.filter((entry) => entry.files.seg);
    const dark: ScoredVolume[] = [];
    const bright: ScoredVolume[] = [];
    for (const c of lesionCases) {
      const x = read(c.files.image).volume.data;
      const mask = read(c.files.brainMask).volume.data;
      const seg = read(c.files.seg as string).volume.data;
      // Brain voxels only: a threshold inside the brain's intensity range never selects the zero background.
      const brainVoxels = c.stats.brainVoxels;
      const labels = new Uint8Array(brainVoxels);
      const darkScores = new Float32Array(brainVoxels);
      const brightScores = new Float32Array(brainVoxels);
      for (let n = 0, b = 0; n < x.length; n++) {
        if (mask[n] === 0) continue;
        labels[b] = seg[n] !== 0 ? 1 : 0;
        darkScores[b] = 1 - x[n];
        brightScores[b++] = x[n];
      }
      dark.push({ scores: darkScores, labels });
      bright.push({ scores: brightScores, labels });
    }
    expect(exactBestDiceThreshold(dark).pooledDice).toBeLessThan(0.1);
    expect(exactBestDiceThreshold(bright).pooledDice).toBeLessThan(0.1);
  });

  it('uses every lesion kind in validation and in test, and records each lesion\'s drawn parameters', () => {
    const kinds: LesionKind[] = ['tissue-swap', 'displaced-tissue', 'grey-matter-fill', 'white-matter-fill', 'csf-fill'];
    for (const split of ['validation', 'test']) {
      const lesions = manifest.cases.filter((c) => c.split === split).flatMap((c) => c.lesions);
      expect(new Set(lesions.map((l) => l.kind))).toEqual(new Set(kinds));
      for (const l of lesions) {
        expect(l.edgeSigmaMm).toBeGreaterThanOrEqual(LESION_MODEL.edgeSigmaMm[0]);
        expect(l.edgeSigmaMm).toBeLessThanOrEqual(LESION_MODEL.edgeSigmaMm[1]);
        expect(l.massEffectMm).toBeGreaterThanOrEqual(LESION_MODEL.massEffectMm[0]);
        expect(l.massEffectMm).toBeLessThanOrEqual(LESION_MODEL.massEffectMm[1]);
        expect(l.sourceShiftMm !== null).toBe(l.kind === 'displaced-tissue');
        if (l.sourceShiftMm) {
          const distance = Math.hypot(...l.sourceShiftMm);
          expect(distance).toBeGreaterThan(LESION_MODEL.displacementMm[0] - 0.02);
          expect(distance).toBeLessThan(LESION_MODEL.displacementMm[1] + 0.02);
        }
      }
    }
  });
});

describe('demo lesion model', () => {
  it('finds the three tissue classes of a brain histogram', () => {
    // Three well separated Gaussian classes (CSF 30 +- 4, GM 70 +- 5, WM 100 +- 3) of deterministic samples.
    const classes = [
      { mean: 30, std: 4, count: 2000 },
      { mean: 70, std: 5, count: 5000 },
      { mean: 100, std: 3, count: 6000 },
    ];
    const random = seededRandom('tissues');
    const values = classes.flatMap(({ mean, std, count }) => Array.from({ length: count }, () => mean + std * random.normal()));
    values.push(0, 0, 0); // background is ignored
    const levels = tissueLevels(values);
    const found = [levels.csf, levels.greyMatter, levels.whiteMatter];
    for (const [n, { mean, std }] of classes.entries()) {
      expect(found[n].mean).toBeCloseTo(mean, 0);
      expect(Math.abs(found[n].std - std)).toBeLessThan(0.5);
    }
  });

  it('mass effect pushes tissue outward by massEffectMm at the lesion radius, fading outside, without folding', () => {
    // Positions along a line through the lesion centre (1 mm apart): each shows the template nearer the centre.
    const radius = 10;
    const massEffectMm = 3;
    const x = Float32Array.from({ length: 61 }, (_, n) => n - 30);
    const positions = { x, y: new Float32Array(61), z: new Float32Array(61), maxElasticMm: 0 };
    const lesion = {
      placement: { lesionId: 1, mirrored: false, kind: 'tissue-swap' as const },
      edgeSigmaMm: 1,
      massEffectMm,
      textureAmplitude: 0,
      soft: new Float32Array(61),
      binary: new Float32Array(61),
      centre: [0, 0, 0] as [number, number, number],
      radiusMm: radius,
    };
    const moved = withMassEffect(positions, [lesion]);
    const pull = (n: number): number => Math.abs(x[n]) - Math.abs(moved.x[n]);
    expect(pull(30 + radius)).toBeCloseTo(massEffectMm, 5);
    expect(pull(30 - radius)).toBeCloseTo(massEffectMm, 5);
    expect(pull(30 + radius / 2)).toBeCloseTo(massEffectMm / 2, 5);
    expect(pull(30 + radius + 8)).toBeCloseTo(massEffectMm * Math.exp(-0.5 * (8 / LESION_MODEL.massEffectReachMm) ** 2), 5);
    expect(pull(30)).toBe(0);
    for (let n = 1; n < 61; n++) expect(moved.x[n]).toBeGreaterThan(moved.x[n - 1]);
  });
});

describe('demo maker geometry', () => {
  const grid = {
    dims: [9, 8, 7] as const,
    // An oblique, anisotropic voxel-to-world affine, so axis mix-ups cannot cancel out.
    affine: Float64Array.from([1.5, 0.2, 0, -5, 0, 2, 0.3, 4, 0.1, 0, 1.2, -3, 0, 0, 0, 1]),
  };
  const still: AugmentationParams = {
    rotationDeg: [0, 0, 0],
    shiftMm: [0, 0, 0],
    elasticControlSpacingMm: 32,
    elasticControlDisplacementMm: 0,
    biasAmplitude: 0,
    noiseSigma: 0,
  };
  const world = (i: number, j: number, k: number): number[] =>
    [0, 1, 2].map((r) => grid.affine[r * 4] * i + grid.affine[r * 4 + 1] * j + grid.affine[r * 4 + 2] * k + grid.affine[r * 4 + 3]);

  it('inverts affines', () => {
    const inverse = invertAffine(grid.affine);
    const [i, j, k] = [3, 5, 2];
    const w = world(i, j, k);
    for (let r = 0; r < 3; r++) {
      expect(inverse[r * 4] * w[0] + inverse[r * 4 + 1] * w[1] + inverse[r * 4 + 2] * w[2] + inverse[r * 4 + 3]).toBeCloseTo([i, j, k][r], 12);
    }
  });

  it('a still warp maps every voxel onto its own world position; a rigid one rotates about the grid centre and shifts', () => {
    const identity = warpedPositions(grid, still, 't');
    const rigid = warpedPositions(grid, { ...still, rotationDeg: [3, -4, 5], shiftMm: [1, -2, 0.5] }, 't');
    const r = rotationMatrix([3, -4, 5]);
    const centre = world(4, 3.5, 3);
    let o = 0;
    for (let k = 0; k < 7; k++) {
      for (let j = 0; j < 8; j++) {
        for (let i = 0; i < 9; i++, o++) {
          const w = world(i, j, k);
          const d = [0, 1, 2].map((a) => w[a] - centre[a]);
          const expected = [0, 1, 2].map((a) => r[a * 3] * d[0] + r[a * 3 + 1] * d[1] + r[a * 3 + 2] * d[2] + centre[a] + [1, -2, 0.5][a]);
          [identity.x[o], identity.y[o], identity.z[o]].forEach((v, a) => expect(v).toBeCloseTo(w[a], 4));
          [rigid.x[o], rigid.y[o], rigid.z[o]].forEach((v, a) => expect(v).toBeCloseTo(expected[a], 4));
        }
      }
    }
    expect(identity.maxElasticMm).toBe(0);
  });

  it('rotation matrices are orthonormal with determinant 1 (Rz Ry Rx)', () => {
    const r = rotationMatrix([3, -4, 5]);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const dot = r[a] * r[b] + r[3 + a] * r[3 + b] + r[6 + a] * r[6 + b];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
    // Rz(90) alone sends x to y.
    const rz = rotationMatrix([0, 0, 90]);
    expect([rz[0], rz[3], rz[6]].map((v) => Number(v.toFixed(12)))).toEqual([0, 1, 0]);
  });

  it('elastic warps are smooth, small and reproducible from the seed', () => {
    const params = { ...still, elasticControlDisplacementMm: 3 };
    const a = warpedPositions(grid, params, 'seed-a');
    const b = warpedPositions(grid, params, 'seed-a');
    const c = warpedPositions(grid, params, 'seed-b');
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
    expect(a.maxElasticMm).toBeGreaterThan(0);
    expect(a.maxElasticMm).toBeLessThanOrEqual(3 * Math.sqrt(3));
    expect(drawAugmentation('case')).toEqual(drawAugmentation('case'));
  });

  it('trilinear sampling reproduces a linear ramp exactly, mirrored or not, and is 0 outside the grid', () => {
    // Source: a 1 mm grid from -10 to 10 mm along x holding f(x, y, z) = 2x + 3y - z + 100.
    const dims = [21, 11, 11] as const;
    const affine = Float64Array.from([1, 0, 0, -10, 0, 1, 0, -5, 0, 0, 1, -5, 0, 0, 0, 1]);
    const data = new Float32Array(21 * 11 * 11);
    for (let k = 0; k < 11; k++) for (let j = 0; j < 11; j++) for (let i = 0; i < 21; i++) data[i + 21 * (j + 11 * k)] = 2 * (i - 10) + 3 * (j - 5) - (k - 5) + 100;
    const volume = { dims, affine, data, spacing: [1, 1, 1] as const };
    const positions = { x: Float32Array.from([0.25, -3.7, 9.9, 10.5]), y: Float32Array.from([1.5, -2.2, 0, 0]), z: Float32Array.from([-0.4, 3.3, 0, 0]), maxElasticMm: 0 };
    const f = (x: number, y: number, z: number) => 2 * x + 3 * y - z + 100;
    const plain = sampleVolume(volume, positions, false);
    const mirrored = sampleVolume(volume, positions, true);
    for (let n = 0; n < 3; n++) {
      const [x, y, z] = [positions.x[n], positions.y[n], positions.z[n]];
      expect(plain[n]).toBeCloseTo(f(x, y, z), 4);
      expect(mirrored[n]).toBeCloseTo(f(-x, y, z), 4);
    }
    expect(plain[3]).toBe(0);
  });
});
