// `fqlab conform`: canonical reorientation, brain crop, crop-or-pad, intensity normalisation and x2 downsampling to 96x96x50.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { conformVolumes, CURVATURE_FLOW_REFERENCE } from '../../core/conform/index.ts';
import { niftiStem } from '../../core/nifti/index.ts';
import { exportDescription, smoothingLabel } from '../../core/provenance.ts';
import { choiceFlag, optionalString, requiredString, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { readVolumeFile, writeVolumeFile } from '../io.ts';
import { SMOOTHING_FLAG, SMOOTHING_USAGE, smoothingFlag } from '../session.ts';

export const conformCommand: Command = {
  name: 'conform',
  summary: 'Conform an image (and its brain mask / segmentation) to the 96x96x50 model grid.',
  usage:
    '--image I [--brain-mask B] [--seg S] --out-dir D [--interpolation linear|bspline] [--no-smoothing]\n' +
    '  Writes D/<stem>.nii.gz, D/<stem>_brainmask.nii.gz, D/<stem>_seg.nii.gz (with --seg) and D/<stem>_conform.json\n' +
    '  (statistics, smoothing and the mapping back to the input grid); prints the statistics and the AIR suggestion.\n' +
    SMOOTHING_USAGE,
  options: {
    image: { type: 'string' },
    'brain-mask': { type: 'string' },
    seg: { type: 'string' },
    'out-dir': { type: 'string' },
    interpolation: { type: 'string' },
    ...SMOOTHING_FLAG,
  },
  run(flags: ParsedFlags) {
    const imagePath = requiredString(flags, 'image');
    const outDir = requiredString(flags, 'out-dir');
    const maskPath = optionalString(flags, 'brain-mask');
    const segPath = optionalString(flags, 'seg');
    const imageInterpolation = choiceFlag(flags, 'interpolation', ['linear', 'bspline'] as const, 'linear');

    const conformed = conformVolumes(
      {
        image: readVolumeFile(imagePath).volume,
        brainMask: maskPath ? readVolumeFile(maskPath).volume : undefined,
        seg: segPath ? readVolumeFile(segPath).volume : undefined,
        fileName: imagePath,
      },
      { imageInterpolation, smoothing: smoothingFlag(flags) ? CURVATURE_FLOW_REFERENCE : null },
    );
    const smoothing = smoothingLabel(conformed.stats.smoothing);

    const stem = niftiStem(imagePath);
    mkdirSync(outDir, { recursive: true });
    const outputs: Record<string, string> = {
      image: join(outDir, `${stem}.nii.gz`),
      brainMask: join(outDir, `${stem}_brainmask.nii.gz`),
      conform: join(outDir, `${stem}_conform.json`),
    };
    writeVolumeFile(outputs.image, conformed.image, { datatype: 'float32', description: exportDescription('conformed image', [smoothing]) });
    writeVolumeFile(outputs.brainMask, conformed.brainMask, { datatype: 'uint8', description: exportDescription('conformed brain mask', []) });
    if (conformed.seg) {
      outputs.seg = join(outDir, `${stem}_seg.nii.gz`);
      writeVolumeFile(outputs.seg, conformed.seg, { datatype: 'uint8', description: exportDescription('conformed segmentation', []) });
    }
    const summary = {
      input: { image: imagePath, brainMask: maskPath ?? null, seg: segPath ?? null },
      dims: conformed.image.dims,
      stats: conformed.stats,
      airSuggestion: conformed.stats.air.suggested ? 'on' : 'off',
    };
    writeFileSync(outputs.conform, JSON.stringify({ ...summary, mapping: conformed.mapping }, null, 2));
    return { ...summary, outputs };
  },
};
