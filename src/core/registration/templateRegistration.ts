// Affine registration of a scan to the shipped MNI template (rigid, then affine, through an injected elastix), and what follows from it.
import { FqlabError } from '../errors.ts';
import type { Volume } from '../volume.ts';
import { volumeToItkImage, type ItkScalarImage } from './itkImage.ts';
import { stageParameterMap, type RegistrationStage } from './parameterMaps.ts';
import { blockAverage, lpsAlignedGrid, resampleThrough, type VoxelGrid } from './resample.ts';
import { REGISTRATION_SETTINGS, type RegistrationSettings, type TemplateChoice } from './settings.ts';
import { elastixChainTransform, invertAffine, swapLpsRas, type ElastixParameterMap } from './transform.ts';

const IDENTITY = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

/** The shipped template, all on one grid: with skull, skull-stripped, and its brain mask (partial volume, 0..1). */
export interface RegistrationTemplates {
  readonly head: Volume;
  readonly brain: Volume;
  readonly brainMask: Volume;
}

/** One elastix run: fixed = the scan, moving = the template; returns elastix's transform parameter object. */
export interface ElastixRequest {
  readonly parameterMap: ElastixParameterMap;
  readonly fixed: ItkScalarImage;
  readonly moving: ItkScalarImage;
  readonly initialTransformParameterObject?: readonly ElastixParameterMap[];
}

/** Runs elastix (Node: elastixNode; browser: the vendored pipeline); each call may consume the images it is given. */
export type ElastixRunner = (request: ElastixRequest) => Promise<ElastixParameterMap[]>;

export interface RegistrationProgress {
  readonly stage: 'preparing' | RegistrationStage;
  /** Stages finished so far, of `total`. */
  readonly done: number;
  readonly total: number;
}

/** What registering one scan found: JSON-able, so the CLI can record it next to the conformed files. */
export interface TemplateRegistration {
  /** The template the scan met: with skull (raw scans) or skull-stripped (masked or stripped scans). */
  readonly template: 'head' | 'brain';
  /** Why that template. */
  readonly templateReason: string;
  /** Row-major 4x4 taking a scan point (RAS+, mm) to the template point it matches. */
  readonly scanToTemplate: number[];
  /** elastix's result maps (rigid, then affine), fixed = the scan's registration copy, moving = the template. */
  readonly transformParameterObject: ElastixParameterMap[];
}

export interface RegisterOptions {
  /** Only brain voxels of the scan take part; the skull-stripped template is used. */
  readonly brainMask?: Volume;
  readonly template?: TemplateChoice;
  readonly settings?: RegistrationSettings;
  readonly onProgress?: (progress: RegistrationProgress) => void;
}

/** Share of voxels holding exactly the volume's minimum (a skull-stripped scan's constant background). */
export function constantBackgroundShare(volume: Volume): number {
  let min = Infinity;
  for (const v of volume.data) if (v < min) min = v;
  let atMin = 0;
  for (const v of volume.data) if (v === min) atMin++;
  return volume.data.length > 0 ? atMin / volume.data.length : 0;
}

function chooseTemplate(scan: Volume, options: RegisterOptions, settings: RegistrationSettings): { template: 'head' | 'brain'; reason: string } {
  if (options.brainMask) return { template: 'brain', reason: 'the scan has a brain mask, so only its brain is registered' };
  const choice = options.template ?? 'auto';
  if (choice !== 'auto') return { template: choice, reason: `asked for the ${choice === 'head' ? 'skull-on' : 'skull-stripped'} template` };
  const share = constantBackgroundShare(scan);
  const stripped = share >= settings.strippedBackgroundShare;
  const percent = (100 * share).toFixed(0);
  return stripped
    ? { template: 'brain', reason: `${percent}% of the scan is constant background: it looks skull-stripped` }
    : { template: 'head', reason: `only ${percent}% of the scan is constant background: it looks like a raw scan with skull` };
}

/** The scan as elastix sees it: masked when a mask is given, block-averaged, on an axis-aligned LPS grid. */
function registrationCopy(scan: Volume, brainMask: Volume | undefined, spacingMm: number): Volume {
  const masked = brainMask ? { ...scan, data: scan.data.map((v, i) => (brainMask.data[i] !== 0 ? v : 0)) } : scan;
  const factors = scan.spacing.map((s) => Math.max(1, Math.floor(spacingMm / s))) as [number, number, number];
  return resampleThrough(blockAverage(masked, factors), lpsAlignedGrid(scan, spacingMm), IDENTITY, 'linear');
}

/**
 * Registers `scan` to the template (fixed = scan, moving = template, so the template's mask comes back onto the scan
 * by direct lookup): rigid from aligned centres of gravity, then affine from the rigid result, both by Mattes mutual
 * information on a coarse copy of the scan. Throws FqlabError 'grid-mismatch' when the mask is not on the scan's grid.
 */
export async function registerToTemplate(
  scan: Volume,
  fileName: string,
  templates: RegistrationTemplates,
  runElastix: ElastixRunner,
  options: RegisterOptions = {},
): Promise<TemplateRegistration> {
  const settings = options.settings ?? REGISTRATION_SETTINGS;
  const report = (stage: RegistrationProgress['stage'], done: number): void => options.onProgress?.({ stage, done, total: 2 });
  if (options.brainMask && options.brainMask.data.length !== scan.data.length) {
    throw new FqlabError('grid-mismatch', fileName, `its brain mask is ${options.brainMask.dims.join('x')} voxels but the image is ${scan.dims.join('x')}; give the mask that belongs to this image.`);
  }
  report('preparing', 0);
  const { template, reason } = chooseTemplate(scan, options, settings);
  const templateImage = template === 'head' ? templates.head : templates.brain;
  const moving = resampleThrough(templateImage, lpsAlignedGrid(templateImage, templateImage.spacing[0]), IDENTITY, 'linear');
  const fixed = registrationCopy(scan, options.brainMask, settings.fixedSpacingMm);
  // Each run gets its own images: a runner may hand their buffers to a worker.
  const images = (): { fixed: ItkScalarImage; moving: ItkScalarImage } => ({
    fixed: volumeToItkImage({ ...fixed, data: fixed.data.slice() }, 'scan'),
    moving: volumeToItkImage({ ...moving, data: moving.data.slice() }, 'template'),
  });
  const run = async (request: ElastixRequest): Promise<ElastixParameterMap[]> => {
    try {
      return await runElastix(request);
    } catch (error) {
      const detail = String(error instanceof Error ? error.message : error).trim().split('\n').pop();
      throw new FqlabError('bad-argument', fileName, `registration to the template failed (elastix: ${detail}); check that the image is a whole brain scan (not a slab or a mask).`);
    }
  };
  report('rigid', 0);
  const rigid = await run({ parameterMap: stageParameterMap('rigid', settings), ...images() });
  report('affine', 1);
  const chain = await run({ parameterMap: stageParameterMap('affine', settings), ...images(), initialTransformParameterObject: rigid });
  report('affine', 2);
  // elastix hands back the initial (rigid) map first, then the affine one it found on top of it.
  if (chain.length !== 2 || chain[0].Transform?.[0] !== 'EulerTransform' || chain[1].Transform?.[0] !== 'AffineTransform') {
    throw new FqlabError('bad-argument', fileName, `registration returned ${chain.map((m) => m.Transform?.[0]).join(', ')} instead of a rigid then an affine transform; this is a bug in fqlab, please report it.`);
  }
  return {
    template,
    templateReason: reason,
    scanToTemplate: Array.from(swapLpsRas(elastixChainTransform(chain))),
    transformParameterObject: chain,
  };
}

/**
 * The template's brain mask on the scan's own grid (atlas-based skull stripping): each scan voxel looks up its
 * matching template point, interpolates the partial-volume mask linearly, and is brain from `threshold` on.
 */
export function warpTemplateMask(
  templateMask: Volume,
  scanGrid: VoxelGrid,
  scanToTemplate: ArrayLike<number>,
  threshold = REGISTRATION_SETTINGS.maskThreshold,
): Volume {
  const warped = resampleThrough(templateMask, scanGrid, scanToTemplate, 'linear');
  const data = warped.data;
  for (let i = 0; i < data.length; i++) data[i] = data[i] >= threshold ? 1 : 0;
  return warped;
}

/** The template-space grid registered scans are conformed on: the template's extent at `spacingMm`. */
export function templateSpaceGrid(templates: RegistrationTemplates, spacingMm = REGISTRATION_SETTINGS.templateSpaceSpacingMm): VoxelGrid {
  return lpsAlignedGrid(templates.brainMask, spacingMm);
}

/**
 * A scan volume resampled into template space, on `templateGrid` (what the reference conforms: every scan on the
 * template's grid). Images 'linear', masks and labels 'nearest'; outside the scan reads 0.
 */
export function resampleToTemplateSpace(
  volume: Volume,
  scanToTemplate: ArrayLike<number>,
  templateGrid: VoxelGrid,
  interpolation: 'linear' | 'nearest',
): Volume {
  return resampleThrough(volume, templateGrid, invertAffine(scanToTemplate), interpolation);
}
