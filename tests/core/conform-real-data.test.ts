// Conform on every real scan in ../shared/data (read with the NIfTI reader): shapes, ranges and plausible brain statistics.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conformVolumes, mapToInputGrid, type ConformResult } from '../../src/core/conform/index.ts';
import { readNifti } from '../../src/core/nifti/index.ts';
import type { Dims3, Volume } from '../../src/core/volume.ts';

const DATA = new URL('../../../shared/data/', import.meta.url);
const dataPresent = existsSync(fileURLToPath(new URL('README.md', DATA)));

interface Source {
  image: string;
  brainMask?: string;
  seg?: string;
  /** Expected AIR suggestion where the modality makes it clear (T1 bright brain: on; T2: off). */
  suggested?: boolean;
}

const SOURCES: Source[] = [
  { image: 'healthy/IXI002_T1.nii.gz', brainMask: 'healthy/IXI002_T1_brainmask.nii.gz', suggested: true },
  { image: 'healthy/IXI002_T2.nii.gz', brainMask: 'healthy/IXI002_T2_brainmask.nii.gz', suggested: false },
  { image: 'healthy/colin27_T1.nii.gz', brainMask: 'healthy/colin27_T1_brainmask.nii.gz', suggested: true },
  { image: 'healthy/icbm152_2009_T1.nii.gz', suggested: true },
  ...['T2', 'FLAIR', 'T1'].map((m) => ({
    image: `lesion/MSLUB_patient07/${m}.nii.gz`,
    seg: 'lesion/MSLUB_patient07/GOLD_STANDARD.nii.gz',
    suggested: m === 'T2' ? false : m === 'T1' ? true : undefined,
  })),
  ...['T2', 'FLAIR'].map((m) => ({
    image: `lesion/TCGA-DU-7294/${m}.nii.gz`,
    seg: 'lesion/TCGA-DU-7294/seg.nii.gz',
    suggested: m === 'T2' ? false : undefined,
  })),
  ...[1, 2, 3].map((p) => ({
    image: `lesion/BraTS2013_pat000${p}/FLAIR_zscored.nii.gz`,
    brainMask: `lesion/BraTS2013_pat000${p}/brainmask.nii.gz`,
    seg: `lesion/BraTS2013_pat000${p}/seg.nii.gz`,
  })),
];

/** Segmentations shared by several images are read once; everything else is dropped after use (memory). */
const sharedSegs = new Map<string, Volume>();
function load(file: string): Volume {
  return readNifti(new Uint8Array(readFileSync(new URL(file, DATA))), file).volume;
}
function loadSeg(file: string): Volume {
  let volume = sharedSegs.get(file);
  if (!volume) {
    volume = load(file);
    sharedSegs.set(file, volume);
  }
  return volume;
}

/** Results kept for the mapping test: an oblique sagittal LAS scan and a flipped LPS one. */
const MAP_BACK_SOURCES = ['healthy/IXI002_T1.nii.gz', 'lesion/BraTS2013_pat0001/FLAIR_zscored.nii.gz'];
const kept = new Map<string, { result: ConformResult; brainMask: Volume; dims: Dims3 }>();

describe.skipIf(!dataPresent)('conform on real scans (../shared/data)', () => {
  for (const source of SOURCES) {
    it(`conforms ${source.image}`, () => {
      const image = load(source.image);
      const brainMask = source.brainMask ? load(source.brainMask) : undefined;
      const seg = source.seg ? loadSeg(source.seg) : undefined;
      const t0 = performance.now();
      const result = conformVolumes({ image, brainMask, seg, fileName: source.image });
      const ms = performance.now() - t0;
      const { stats } = result;
      if (brainMask && MAP_BACK_SOURCES.includes(source.image)) kept.set(source.image, { result, brainMask, dims: image.dims });
      let segVoxels = 0;
      if (result.seg) for (const v of result.seg.data) if (v !== 0) segVoxels++;
      const voxelMl = result.image.spacing.reduce((p, s) => p * s, 1) / 1000;
      const brainMl = stats.brainVoxels * voxelMl;
      console.info(
        `${source.image} ${image.dims.join('x')} ${stats.inputOrientation}: brain ${stats.brainVoxels} voxels ` +
          `(${brainMl.toFixed(0)} mL), mean ${stats.meanBrainIntensity.toFixed(3)}, clip [${stats.clipLow.toFixed(2)}, ` +
          `${stats.clipHigh.toFixed(2)}], seg ${segVoxels}, muNormal ${stats.air.muNormal.toFixed(3)}, ` +
          `muAnomalous ${stats.air.muAnomalous?.toFixed(3) ?? '-'}, AIR ${stats.air.air?.toFixed(3) ?? '-'}, ${ms.toFixed(0)} ms`,
      );

      expect(result.image.dims).toEqual([96, 96, 50]);
      expect(result.brainMask.dims).toEqual([96, 96, 50]);
      expect(result.image.data.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(result.brainMask.data.every((v) => v === 0 || v === 1)).toBe(true);
      // A brain (cropped to 100 slices) of roughly 0.9 to 1.7 litres, filling a good part of the grid.
      expect(brainMl).toBeGreaterThan(900);
      expect(brainMl).toBeLessThan(1700);
      expect(stats.brainVoxels).toBeGreaterThan(100_000);
      expect(stats.meanBrainIntensity).toBeGreaterThan(0.15);
      expect(stats.meanBrainIntensity).toBeLessThan(0.85);
      expect(stats.clipHigh).toBeGreaterThan(stats.clipLow);
      if (source.seg) {
        expect(segVoxels).toBeGreaterThan(0);
        expect(stats.air.muAnomalous).not.toBeNull();
      } else {
        expect(result.seg).toBeNull();
      }
      if (source.suggested !== undefined) expect(stats.air.suggested).toBe(source.suggested);
    });
  }

  it('maps the conformed brain mask back onto the original grid of oblique and flipped scans', () => {
    expect(kept.size).toBe(MAP_BACK_SOURCES.length);
    for (const { result, brainMask, dims } of kept.values()) {
      const back = mapToInputGrid(result.brainMask, result.mapping, 'nearest');
      expect(back.dims).toEqual(dims);
      expect(Array.from(back.affine)).toEqual(Array.from(brainMask.affine));
      let both = 0;
      let mapped = 0;
      for (let i = 0; i < back.data.length; i++) {
        if (back.data[i] === 0) continue;
        mapped++;
        if (brainMask.data[i] !== 0) both++;
      }
      // Nearest 2x2x2 blocks blur the edge a little; almost every mapped-back brain voxel is brain.
      expect(both / mapped).toBeGreaterThan(0.93);
    }
  });
});
