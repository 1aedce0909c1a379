// How loaded files make up one case: what the session's defineCase takes and the name heuristics (fileRoles.ts) build.
import type { Modality } from '../core/modality.ts';
import type { DataSplit } from './caseStore.ts';

/** How files make up one case: an image plus optional brain mask and segmentation on the same grid. */
export interface CaseSpec {
  caseId: string;
  imageFileId: string;
  brainMaskFileId?: string;
  segFileId?: string;
  modality: Modality;
  split: DataSplit;
  /** The files are already on fqlab's conformed 96x96x50 grid (e.g. the shipped demo): use them as they are. */
  conformed?: boolean;
  /**
   * Register the image to the MNI template first and conform it in template space, as the reference does with every
   * scan (the brain mask: the given one, else the template's); exports still come back on the image's own grid.
   */
  registered?: boolean;
  /**
   * Smooth the image as read with the reference's curvature flow before conforming (SPEC 1 step 0). Default true;
   * ignored for already conformed files, which are never smoothed.
   */
  smoothing?: boolean;
}
