// A registered scan moved into template space for conform (as the reference conforms every scan), plus its mask on its own grid.
import { binaryMask } from '../conform/brainMask.ts';
import type { ConformInput } from '../conform/index.ts';
import type { Volume } from '../volume.ts';
import type { VoxelGrid } from './resample.ts';
import { REGISTRATION_SETTINGS } from './settings.ts';
import {
  resampleToTemplateSpace,
  templateSpaceGrid,
  warpTemplateMask,
  type RegistrationTemplates,
  type TemplateRegistration,
} from './templateRegistration.ts';

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

export interface TemplateSpaceScan {
  /** The scan's volumes on `grid` in template space, ready for conformVolumes. */
  readonly input: ConformInput;
  readonly grid: VoxelGrid;
  /** The brain mask on the scan's own grid: the given one (binarised), else the warped template mask. */
  readonly nativeBrainMask: Volume;
}

/**
 * The conform input of a registered scan in template space: image linear, segmentation nearest; the brain mask is the
 * given one (nearest) or, without one, the template's own mask (atlas-based skull stripping).
 */
export function scanInTemplateSpace(
  input: ConformInput,
  registration: TemplateRegistration,
  templates: RegistrationTemplates,
): TemplateSpaceScan {
  const transform = registration.scanToTemplate;
  const grid = templateSpaceGrid(templates, REGISTRATION_SETTINGS.templateSpaceSpacingMm);
  const givenMask = input.brainMask ? binaryMask(input.brainMask) : null;
  return {
    input: {
      ...input,
      image: resampleToTemplateSpace(input.image, transform, grid, 'linear'),
      brainMask: givenMask
        ? resampleToTemplateSpace(givenMask, transform, grid, 'nearest')
        : warpTemplateMask(templates.brainMask, grid, IDENTITY),
      seg: input.seg ? resampleToTemplateSpace(input.seg, transform, grid, 'nearest') : undefined,
    },
    grid,
    nativeBrainMask: givenMask ?? warpTemplateMask(templates.brainMask, input.image, transform),
  };
}
