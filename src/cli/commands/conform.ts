// `fqlab conform`: canonical reorientation, brain crop, crop-or-pad, intensity normalisation and x2 downsampling to 96x96x50.
import { join } from 'node:path';
import { conformVolumes, CURVATURE_FLOW_REFERENCE, type ConformInput } from '../../core/conform/index.ts';
import { exportDescription, smoothingLabel } from '../../core/provenance.ts';
import { orientationCode } from '../../core/nifti/index.ts';
import { scanStem } from '../../formats/scanFiles.ts';
import { registerToTemplate, scanInTemplateSpace, type TemplateChoice } from '../../core/registration/index.ts';
import { choiceFlag, optionalString, requiredString, UsageError, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { encodeVolume, labelDatatype } from '../io.ts';
import type { PendingOutputs } from '../outputs.ts';
import { readScanInput } from '../scanInput.ts';
import { progressBar } from '../progressBar.ts';
import { readShippedTemplates, runElastixNode } from '../registration.ts';
import { SMOOTHING_FLAG, SMOOTHING_USAGE, smoothingFlag } from '../session.ts';

export const conformCommand: Command = {
  name: 'conform',
  summary: 'Conform an image (and its brain mask / segmentation) to the 96x96x50 model grid.',
  usage:
    '--image I [--brain-mask B] [--seg S] --out-dir D [--interpolation linear|bspline] [--no-smoothing]\n' +
    '  I, B and S are NIfTI, MetaImage (.mha), NRRD or MGH/MGZ files, or folders holding one DICOM series each.\n' +
    '  Writes D/<stem>.nii.gz, D/<stem>_brainmask.nii.gz, D/<stem>_seg.nii.gz (with --seg; labels kept: uint8, or float32\n' +
    '  when they do not fit 0..255) and D/<stem>_conform.json (statistics, smoothing and the mapping back to the input grid), all or\n' +
    '  none of them; prints the statistics and the AIR suggestion.\n' +
    '  --register [--register-template auto|head|brain]: first registers the image (rigid, then affine) to the shipped MNI\n' +
    '  template and conforms it in template space, as the reference does; without --brain-mask the template\'s brain mask\n' +
    '  is warped back as the brain mask (atlas-based skull stripping). Also writes D/<stem>_brainmask_native.nii.gz (the\n' +
    '  brain mask on the input\'s own grid) and records the transform in D/<stem>_conform.json. The template is the skull-on\n' +
    '  one for raw scans and the skull-stripped one for masked or stripped scans (auto: decided from the background).\n' +
    SMOOTHING_USAGE,
  options: {
    image: { type: 'string' },
    'brain-mask': { type: 'string' },
    seg: { type: 'string' },
    'out-dir': { type: 'string' },
    interpolation: { type: 'string' },
    register: { type: 'boolean' },
    'register-template': { type: 'string' },
    ...SMOOTHING_FLAG,
  },
  async run(flags: ParsedFlags, outputs: PendingOutputs) {
    const imagePath = requiredString(flags, 'image');
    const outDir = requiredString(flags, 'out-dir');
    const maskPath = optionalString(flags, 'brain-mask');
    const segPath = optionalString(flags, 'seg');
    const imageInterpolation = choiceFlag(flags, 'interpolation', ['linear', 'bspline'] as const, 'linear');
    const register = flags.register === true;
    const template = choiceFlag<TemplateChoice>(flags, 'register-template', ['auto', 'head', 'brain'], 'auto');
    if (!register && flags['register-template'] !== undefined) throw new UsageError('--register-template needs --register');

    const stem = scanStem(imagePath.replace(/[\\/]+$/, ''));
    const paths = {
      image: join(outDir, `${stem}.nii.gz`),
      brainMask: join(outDir, `${stem}_brainmask.nii.gz`),
      ...(segPath ? { seg: join(outDir, `${stem}_seg.nii.gz`) } : {}),
      ...(register ? { brainMaskNative: join(outDir, `${stem}_brainmask_native.nii.gz`) } : {}),
      conform: join(outDir, `${stem}_conform.json`),
    };
    outputs.folder(outDir);
    for (const path of Object.values(paths)) outputs.file(path);

    const input = {
      image: (await readScanInput(imagePath)).volume,
      brainMask: maskPath ? (await readScanInput(maskPath)).volume : undefined,
      seg: segPath ? (await readScanInput(segPath)).volume : undefined,
      fileName: imagePath,
      brainMaskFileName: maskPath,
      segFileName: segPath,
    };
    const registered = register ? await registerInput(input, template) : null;
    const conformed = conformVolumes(registered?.inTemplateSpace.input ?? input, {
      imageInterpolation,
      smoothing: smoothingFlag(flags) ? CURVATURE_FLOW_REFERENCE : null,
    });
    const smoothing = smoothingLabel(conformed.stats.smoothing);
    if (registered && paths.brainMaskNative) {
      outputs.write(paths.brainMaskNative, encodeVolume(paths.brainMaskNative, registered.inTemplateSpace.nativeBrainMask, { datatype: 'uint8' }));
    }

    outputs.write(paths.image, encodeVolume(paths.image, conformed.image, { datatype: 'float32', description: exportDescription('conformed image', [smoothing]) }));
    outputs.write(paths.brainMask, encodeVolume(paths.brainMask, conformed.brainMask, { datatype: 'uint8', description: exportDescription('conformed brain mask', []) }));
    // Labels are kept as they are: uint8 when it holds them, float32 otherwise (FreeSurfer labels, -1, fractions).
    let segDatatype: 'uint8' | 'float32' | null = null;
    if (conformed.seg && paths.seg) {
      segDatatype = labelDatatype(conformed.seg.data);
      outputs.write(paths.seg, encodeVolume(paths.seg, conformed.seg, { datatype: segDatatype, description: exportDescription('conformed segmentation', []) }));
    }
    const summary = {
      input: { image: imagePath, brainMask: maskPath ?? null, seg: segPath ?? null },
      dims: conformed.image.dims,
      // Registered, conform saw the template-space copy; the orientation worth reporting is the input's own.
      stats: registered ? { ...conformed.stats, inputOrientation: orientationCode(input.image.affine) } : conformed.stats,
      airSuggestion: conformed.stats.air.suggested ? 'on' : 'off',
      segDatatype,
      registration: registered ? registered.summary : null,
    };
    // With --register, `mapping` leads back to the template-space grid and `registration` from there to the input.
    const record = { ...summary, mapping: conformed.mapping, ...(registered ? { registration: registered.record } : {}) };
    outputs.write(paths.conform, JSON.stringify(record, null, 2));
    return { ...summary, outputs: paths };
  },
};

/** Registers the image to the shipped template (progress on a TTY) and moves the scan into template space. */
async function registerInput(input: ConformInput, template: TemplateChoice) {
  const templates = readShippedTemplates();
  const bar = progressBar('registering');
  const started = performance.now();
  const registration = await registerToTemplate(input.image, input.fileName, templates, runElastixNode, {
    brainMask: input.brainMask,
    template,
    onProgress: (p) => bar.update(p.done, p.total, p.stage),
  });
  bar.finish();
  const inTemplateSpace = scanInTemplateSpace(input, registration, templates);
  return {
    inTemplateSpace,
    summary: { template: registration.template, templateReason: registration.templateReason, seconds: (performance.now() - started) / 1000 },
    record: { ...registration, templateSpaceGrid: { dims: inTemplateSpace.grid.dims, affine: Array.from(inTemplateSpace.grid.affine) } },
  };
}
