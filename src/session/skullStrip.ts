// The session's "register and skull-strip": an image registered to the template, its brain mask warped back and loaded as a new file.
import { readNifti, writeNifti } from '../core/nifti/index.ts';
import { scanStem } from '../formats/scanFiles.ts';
import {
  registerToTemplate,
  warpTemplateMask,
  type ElastixRunner,
  type RegistrationProgress,
  type RegistrationTemplates,
} from '../core/registration/index.ts';
import type { FileRegistry, LoadedFileInfo } from './fileRegistry.ts';
import { workerError } from './sessionErrors.ts';

/** An image registered to the template and skull-stripped by it: the new brain-mask file on the image's own grid. */
export interface SkullStripResult {
  /** The mask as a loaded file (already in the worker), named <image stem>_brainmask_registered.nii.gz. */
  mask: LoadedFileInfo;
  /** Its .nii.gz bytes (to save it, and to load it again into a restarted worker). */
  bytes: Uint8Array;
  template: 'head' | 'brain';
  templateReason: string;
  /** Row-major 4x4: a scan point (RAS+, mm) to the template point it matches. */
  scanToTemplate: number[];
  seconds: number;
}

/** How this environment runs elastix and finds the shipped template (browser: vendored assets; Node: local files). */
export interface RegistrationServices {
  runElastix: ElastixRunner;
  loadTemplates(): Promise<RegistrationTemplates>;
}

/** The name of the mask made for `imageFileName`: paired with the image by name, and read as a brain mask. */
export function registeredMaskName(imageFileName: string): string {
  return `${scanStem(imageFileName)}_brainmask_registered.nii.gz`;
}

/**
 * Registers a loaded image to the template (rigid, then affine), warps the template's brain mask onto the image's
 * own grid and loads it as a new file; returns its facts and bytes (the client keeps them to replay and to save).
 */
export async function registerAndSkullStrip(
  files: FileRegistry,
  services: RegistrationServices | undefined,
  fileId: string,
  onProgress: (progress: RegistrationProgress) => void,
): Promise<SkullStripResult> {
  const image = files.get(fileId, 'image');
  if (!services) throw workerError('unavailable', image.info.fileName, 'registration is not available in this environment (no elastix pipeline); use `fqlab conform --register` instead.');
  const started = performance.now();
  const templates = await services.loadTemplates();
  const volume = image.image.volume;
  const registration = await registerToTemplate(volume, image.info.fileName, templates, services.runElastix, { onProgress });
  const mask = warpTemplateMask(templates.brainMask, volume, registration.scanToTemplate);
  const fileName = registeredMaskName(image.info.fileName);
  const bytes = writeNifti(mask, { datatype: 'uint8', gzip: true, description: 'fqlab: template brain mask, registered' });
  const { volume: maskAsLoaded, header } = readNifti(bytes, fileName); // as a replay after a worker restart loads it
  const info = files.add(fileName, { volume: maskAsLoaded, datatypeName: header.datatypeName, source: 'nifti' });
  return {
    mask: info,
    bytes,
    template: registration.template,
    templateReason: registration.templateReason,
    scanToTemplate: registration.scanToTemplate,
    seconds: (performance.now() - started) / 1000,
  };
}
