// The shape of public/demo/manifest.json: what each demo case is, where its files are and how it was made.
import type { AUGMENTATION_RANGES, AugmentationParams } from './augmentation.ts';
import type { InsertedLesion, LESION_MODEL } from './lesions.ts';
import type { DemoSplit } from './plan.ts';
import type { TemplateName } from './sources.ts';
import type { TissueLevels } from './tissues.ts';

export const DEMO_MANIFEST_FORMAT = 'fqlab-demo/1';

export interface DemoCase {
  id: string;
  split: DemoSplit;
  modality: 'T1';
  /** Paths relative to the manifest. seg is absent for healthy cases. */
  files: { image: string; brainMask: string; seg?: string };
  template: TemplateName;
  /** Empty for healthy cases. */
  lesions: InsertedLesion[];
  augmentation: AugmentationParams & { maxElasticMm: number };
  seed: string;
  /** On the conformed 96 x 96 x 50 grid. */
  stats: { brainVoxels: number; lesionVoxels: number; meanBrainIntensity: number };
}

export interface DemoManifest {
  format: typeof DEMO_MANIFEST_FORMAT;
  /** Always true: every anomaly in the demo is synthetic, inserted by scripts/make-demo. */
  syntheticAnomalies: true;
  description: string;
  attribution: string;
  generator: string;
  /** Every volume is already conformed (SPEC 1): load it as is, do not conform again. */
  grid: { dims: [number, number, number]; spacingMm: [number, number, number]; conformed: true; intensity: string };
  augmentationRanges: typeof AUGMENTATION_RANGES;
  lesionModel: typeof LESION_MODEL;
  /** Per template, the normal-tissue classes (in its own intensity units) that lesions draw their intensities from. */
  tissueLevels: Record<TemplateName, TissueLevels>;
  sources: Record<string, { description: string; digest: string }>;
  cases: DemoCase[];
}
