// The demo's real-scan track (public/demo/real): shippable real scans conformed as `fqlab conform` does, with credits.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { conformVolumes, CURVATURE_FLOW_REFERENCE } from '../../src/core/conform/index.ts';
import { readNifti } from '../../src/core/nifti/index.ts';
import type { Volume } from '../../src/core/volume.ts';
import { DEMO_MANIFEST_FORMAT } from './manifest.ts';
import { encodeMask, encodeUnitImage } from './niftiOutput.ts';
import { volumeDigest } from './sources.ts';

/** The three shippable sources (../shared/data/README.md) and the terms each file derived from them carries. */
export const REAL_SOURCES = {
  'MSLUB-patient07': {
    description:
      'MSLUB patient 07 (multiple sclerosis): T2, FLAIR and the GOLD_STANDARD consensus lesion mask; skull-stripped, N4-corrected, registered to MNI 1 mm; via the open_ms_data repository',
    licence: 'CC BY',
    attribution: 'MSLUB: Lesjak et al., A novel public MR image dataset of multiple sclerosis patients with lesion segmentations, Neuroinformatics 2017',
  },
  'TCGA-DU-7294': {
    description:
      'TCGA-DU-7294 (low-grade glioma): T2, FLAIR and a tumour segmentation that is an algorithmic consensus of several methods, not a manual tracing; skull-stripped, SRI24 1 mm; via the BrainLesion tutorials repository',
    licence: 'CC BY 3.0',
    attribution: 'TCGA-LGG collection, The Cancer Imaging Archive (TCIA); segmentation algorithmic',
  },
  IXI002: {
    description: 'IXI002-Guys-0828 (healthy): T2, skull-stripped with HD-BET, as processed in the defacing_pipeline repository (cai4cai)',
    licence: 'CC BY-SA 3.0 (files derived from it carry the same licence)',
    attribution: 'IXI dataset, Imperial College London',
  },
} as const;

export type RealSourceName = keyof typeof REAL_SOURCES;
export type RealSplit = 'healthy-train' | 'validation' | 'test';
export type RealModality = 'T2' | 'FLAIR';

interface PlannedRealCase {
  id: string;
  source: RealSourceName;
  modality: RealModality;
  split: RealSplit;
  /** Relative to the shared data folder. */
  image: string;
  brainMask?: string;
  seg?: string;
}

/**
 * Per modality: the threshold comes from the MS scan (validation), the glioma scan is the test case. Every case's
 * lesion-free slices, and IXI002 T2 whole, are also what that modality's models trained on (in-dataset setting).
 */
export const REAL_PLAN: readonly PlannedRealCase[] = [
  { id: 'mslub07-t2', source: 'MSLUB-patient07', modality: 'T2', split: 'validation', image: 'lesion/MSLUB_patient07/T2.nii.gz', seg: 'lesion/MSLUB_patient07/GOLD_STANDARD.nii.gz' },
  { id: 'tcga-du-7294-t2', source: 'TCGA-DU-7294', modality: 'T2', split: 'test', image: 'lesion/TCGA-DU-7294/T2.nii.gz', seg: 'lesion/TCGA-DU-7294/seg.nii.gz' },
  { id: 'ixi002-t2', source: 'IXI002', modality: 'T2', split: 'healthy-train', image: 'healthy/IXI002_T2.nii.gz', brainMask: 'healthy/IXI002_T2_brainmask.nii.gz' },
  { id: 'mslub07-flair', source: 'MSLUB-patient07', modality: 'FLAIR', split: 'validation', image: 'lesion/MSLUB_patient07/FLAIR.nii.gz', seg: 'lesion/MSLUB_patient07/GOLD_STANDARD.nii.gz' },
  { id: 'tcga-du-7294-flair', source: 'TCGA-DU-7294', modality: 'FLAIR', split: 'test', image: 'lesion/TCGA-DU-7294/FLAIR.nii.gz', seg: 'lesion/TCGA-DU-7294/seg.nii.gz' },
];

/** Axial slices of a conformed case, counted as training sees them (a slice with any lesion voxel is left out). */
export interface SliceCounts {
  brainSlices: number;
  lesionSlices: number;
  /** Brain slices without lesion: what the track's models trained on. */
  trainingSlices: number;
}

export interface RealCase {
  id: string;
  split: RealSplit;
  modality: RealModality;
  files: { image: string; brainMask: string; seg?: string };
  source: RealSourceName;
  /** Licence and attribution of every file of the case (each is derived from this one source). */
  licence: string;
  attribution: string;
  stats: { brainVoxels: number; lesionVoxels: number; meanBrainIntensity: number; inputOrientation: string } & SliceCounts;
  /** Content digest of each source volume read, so reruns can tell whether their sources match. */
  sourceDigests: Record<string, string>;
}

export interface RealManifest {
  format: typeof DEMO_MANIFEST_FORMAT;
  track: 'real';
  syntheticAnomalies: false;
  description: string;
  attribution: string;
  generator: string;
  preparation: string;
  grid: { dims: [number, number, number]; spacingMm: [number, number, number]; conformed: true; intensity: string };
  sources: typeof REAL_SOURCES;
  /** Per modality, the slices and scans its models trained on. */
  training: Record<RealModality, { slices: number; scans: number; caseIds: string[] }>;
  cases: RealCase[];
}

/** The folder the real track is built from: the shared data folder holding lesion/ and healthy/. */
export function hasRealSources(folder: string): boolean {
  return REAL_PLAN.every((c) => existsSync(path.join(folder, c.image)));
}

function read(root: string, relative: string): Volume {
  const file = path.join(root, relative);
  return readNifti(new Uint8Array(readFileSync(file)), file).volume;
}

export function sliceCounts(brainMask: ArrayLike<number>, seg: ArrayLike<number> | null, dims: readonly [number, number, number]): SliceCounts {
  const [nx, ny, nz] = dims;
  const size = nx * ny;
  const counts: SliceCounts = { brainSlices: 0, lesionSlices: 0, trainingSlices: 0 };
  for (let k = 0; k < nz; k++) {
    let brain = false;
    let lesion = false;
    for (let p = k * size; p < (k + 1) * size; p++) {
      if (brainMask[p] !== 0) brain = true;
      if (seg !== null && seg[p] !== 0) lesion = true;
    }
    if (brain) counts.brainSlices++;
    if (lesion) counts.lesionSlices++;
    if (brain && !lesion) counts.trainingSlices++;
  }
  return counts;
}

export function buildRealCase(root: string, planned: PlannedRealCase): { entry: RealCase; files: Map<string, Uint8Array> } {
  const image = read(root, planned.image);
  const brainMask = planned.brainMask ? read(root, planned.brainMask) : undefined;
  // Any non-zero label is anomaly (the TCGA seg has several tumour classes): shipped as 0/1.
  const rawSeg = planned.seg ? read(root, planned.seg) : undefined;
  const seg = rawSeg ? { ...rawSeg, data: rawSeg.data.map((v) => (v !== 0 ? 1 : 0)) } : undefined;
  const sourceDigests: Record<string, string> = { [planned.image]: volumeDigest(image) };
  if (brainMask && planned.brainMask) sourceDigests[planned.brainMask] = volumeDigest(brainMask);
  if (rawSeg && planned.seg) sourceDigests[planned.seg] = volumeDigest(rawSeg);
  // What `fqlab conform` does by default: curvature-flow smoothing as read, then SPEC 1 (linear image, nearest labels).
  const conformed = conformVolumes({ image, brainMask, seg, fileName: planned.image }, { smoothing: CURVATURE_FLOW_REFERENCE });
  const names = { image: `${planned.id}.nii.gz`, brainMask: `${planned.id}_brainmask.nii.gz`, seg: `${planned.id}_seg.nii.gz` };
  const files = new Map<string, Uint8Array>([
    [names.image, encodeUnitImage(conformed.image, `fqlab demo ${planned.id}, conformed; ${REAL_SOURCES[planned.source].licence}`)],
    [names.brainMask, encodeMask(conformed.brainMask, `fqlab demo ${planned.id} brain mask`)],
  ]);
  if (conformed.seg) files.set(names.seg, encodeMask(conformed.seg, `fqlab demo ${planned.id} lesion mask`));
  const lesionVoxels = conformed.seg ? conformed.seg.data.reduce((sum, v) => sum + (v !== 0 ? 1 : 0), 0) : 0;
  const source = REAL_SOURCES[planned.source];
  return {
    files,
    entry: {
      id: planned.id,
      split: planned.split,
      modality: planned.modality,
      files: conformed.seg ? names : { image: names.image, brainMask: names.brainMask },
      source: planned.source,
      licence: source.licence,
      attribution: source.attribution,
      stats: {
        brainVoxels: conformed.stats.brainVoxels,
        lesionVoxels,
        meanBrainIntensity: Number(conformed.stats.meanBrainIntensity.toFixed(4)),
        inputOrientation: conformed.stats.inputOrientation,
        ...sliceCounts(conformed.brainMask.data, conformed.seg?.data ?? null, conformed.image.dims),
      },
      sourceDigests,
    },
  };
}

/** The credits line the page shows: every source with its licence. */
export const REAL_ATTRIBUTION = Object.values(REAL_SOURCES)
  .map((s) => `${s.attribution} (${s.licence})`)
  .join('; ');

/** Rebuilds `out` (public/demo/real) from the shared data folder `root`; the models/ folder in it is kept. */
export function buildRealTrack(root: string, out: string): { cases: number; bytes: number } {
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(out)) if (name.endsWith('.nii.gz')) rmSync(path.join(out, name));
  const cases: RealCase[] = [];
  let bytes = 0;
  for (const planned of REAL_PLAN) {
    const t0 = performance.now();
    const built = buildRealCase(root, planned);
    for (const [name, data] of built.files) {
      writeFileSync(path.join(out, name), data);
      bytes += data.length;
    }
    cases.push(built.entry);
    console.log(`  real/${planned.id}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const training = (modality: RealModality) => {
    const used = cases.filter((c) => c.modality === modality);
    return { slices: used.reduce((sum, c) => sum + c.stats.trainingSlices, 0), scans: used.length, caseIds: used.map((c) => c.id) };
  };
  const manifest: RealManifest = {
    format: DEMO_MANIFEST_FORMAT,
    track: 'real',
    syntheticAnomalies: false,
    description:
      'fqlab demo, real-scan track: real T2 and FLAIR scans with real lesions (multiple sclerosis, low-grade glioma) and a healthy T2, ' +
      'all under licences that allow shipping them with attribution. Their models trained on very little: per modality only the lesion-free ' +
      'slices of these same scans (and IXI002 T2). See README.md.',
    attribution: REAL_ATTRIBUTION,
    generator: 'npm run make-demo (scripts/make-demo/realTrack.ts)',
    preparation:
      'fqlab conform defaults: curvature-flow smoothing of the image as read (time step 0.125, 3 iterations), reorient, crop to the brain, ' +
      'crop-or-pad to 192 x 192 x 100, clip to the 1st-99th brain percentiles, scale to [0, 1], downsample by 2 (linear image, nearest masks); ' +
      'brain mask given (IXI002) or image > background; segmentations binarised (any label = lesion)',
    grid: {
      dims: [96, 96, 50],
      spacingMm: [2, 2, 2],
      conformed: true,
      intensity: 'images in [0, 1] (uint8 with scl_slope 1/255), background 0; brain masks and segs uint8 0/1',
    },
    sources: REAL_SOURCES,
    training: { T2: training('T2'), FLAIR: training('FLAIR') },
    cases,
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(out, 'manifest.json'), text);
  return { cases: cases.length, bytes: bytes + text.length };
}
