// File names of the shipped registration template (public/templates/, made by scripts/make-templates/main.ts).
import type { RegistrationTemplates } from './templateRegistration.ts';

export const TEMPLATE_FILES: Readonly<Record<keyof RegistrationTemplates, string>> = {
  head: 'colin27_head_2mm.nii.gz',
  brain: 'colin27_brain_2mm.nii.gz',
  brainMask: 'colin27_brainmask_2mm.nii.gz',
};

/** Where they are served from and found on disk, relative to the site root or the repository's public/ folder. */
export const TEMPLATE_FOLDER = 'templates';
