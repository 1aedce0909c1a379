// `fqlab conform`: canonical reorientation, brain crop, crop-or-pad, intensity normalisation and x2 downsampling to 96x96x50.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { conformVolumes } from '../../core/conform/index.ts';
import { scanStem } from '../../formats/scanFiles.ts';
import { choiceFlag, optionalString, requiredString, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { writeVolumeFile } from '../io.ts';
import { readScanInput } from '../scanInput.ts';

export const conformCommand: Command = {
  name: 'conform',
  summary: 'Conform an image (and its brain mask / segmentation) to the 96x96x50 model grid.',
  usage:
    '--image I [--brain-mask B] [--seg S] --out-dir D [--interpolation linear|bspline]\n' +
    '  I, B and S are NIfTI, MetaImage (.mha), NRRD or MGH/MGZ files, or folders holding one DICOM series each.\n' +
    '  Writes D/<stem>.nii.gz, D/<stem>_brainmask.nii.gz, D/<stem>_seg.nii.gz (with --seg) and D/<stem>_conform.json\n' +
    '  (statistics and the mapping back to the input grid); prints the statistics and the AIR suggestion.',
  options: {
    image: { type: 'string' },
    'brain-mask': { type: 'string' },
    seg: { type: 'string' },
    'out-dir': { type: 'string' },
    interpolation: { type: 'string' },
  },
  async run(flags: ParsedFlags) {
    const imagePath = requiredString(flags, 'image');
    const outDir = requiredString(flags, 'out-dir');
    const maskPath = optionalString(flags, 'brain-mask');
    const segPath = optionalString(flags, 'seg');
    const imageInterpolation = choiceFlag(flags, 'interpolation', ['linear', 'bspline'] as const, 'linear');

    const conformed = conformVolumes(
      {
        image: (await readScanInput(imagePath)).volume,
        brainMask: maskPath ? (await readScanInput(maskPath)).volume : undefined,
        seg: segPath ? (await readScanInput(segPath)).volume : undefined,
        fileName: imagePath,
      },
      { imageInterpolation },
    );

    const stem = scanStem(imagePath.replace(/[\\/]+$/, ''));
    mkdirSync(outDir, { recursive: true });
    const outputs: Record<string, string> = {
      image: join(outDir, `${stem}.nii.gz`),
      brainMask: join(outDir, `${stem}_brainmask.nii.gz`),
      conform: join(outDir, `${stem}_conform.json`),
    };
    writeVolumeFile(outputs.image, conformed.image, { datatype: 'float32' });
    writeVolumeFile(outputs.brainMask, conformed.brainMask, { datatype: 'uint8' });
    if (conformed.seg) {
      outputs.seg = join(outDir, `${stem}_seg.nii.gz`);
      writeVolumeFile(outputs.seg, conformed.seg, { datatype: 'uint8' });
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
