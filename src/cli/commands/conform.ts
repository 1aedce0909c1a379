// `fqlab conform`: canonical reorientation, brain crop, crop-or-pad, intensity normalisation and x2 downsampling to 96x96x50.
import { join } from 'node:path';
import { conformVolumes } from '../../core/conform/index.ts';
import { scanStem } from '../../formats/scanFiles.ts';
import { choiceFlag, optionalString, requiredString, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { encodeVolume, labelDatatype } from '../io.ts';
import type { PendingOutputs } from '../outputs.ts';
import { readScanInput } from '../scanInput.ts';

export const conformCommand: Command = {
  name: 'conform',
  summary: 'Conform an image (and its brain mask / segmentation) to the 96x96x50 model grid.',
  usage:
    '--image I [--brain-mask B] [--seg S] --out-dir D [--interpolation linear|bspline]\n' +
    '  I, B and S are NIfTI, MetaImage (.mha), NRRD or MGH/MGZ files, or folders holding one DICOM series each.\n' +
    '  Writes D/<stem>.nii.gz, D/<stem>_brainmask.nii.gz, D/<stem>_seg.nii.gz (with --seg; labels kept: uint8, or float32\n' +
    '  when they do not fit 0..255) and D/<stem>_conform.json (statistics and the mapping back to the input grid), all or\n' +
    '  none of them; prints the statistics and the AIR suggestion.',
  options: {
    image: { type: 'string' },
    'brain-mask': { type: 'string' },
    seg: { type: 'string' },
    'out-dir': { type: 'string' },
    interpolation: { type: 'string' },
  },
  async run(flags: ParsedFlags, outputs: PendingOutputs) {
    const imagePath = requiredString(flags, 'image');
    const outDir = requiredString(flags, 'out-dir');
    const maskPath = optionalString(flags, 'brain-mask');
    const segPath = optionalString(flags, 'seg');
    const imageInterpolation = choiceFlag(flags, 'interpolation', ['linear', 'bspline'] as const, 'linear');

    const stem = scanStem(imagePath.replace(/[\\/]+$/, ''));
    const paths = {
      image: join(outDir, `${stem}.nii.gz`),
      brainMask: join(outDir, `${stem}_brainmask.nii.gz`),
      ...(segPath ? { seg: join(outDir, `${stem}_seg.nii.gz`) } : {}),
      conform: join(outDir, `${stem}_conform.json`),
    };
    outputs.folder(outDir);
    for (const path of Object.values(paths)) outputs.file(path);

    const conformed = conformVolumes(
      {
        image: (await readScanInput(imagePath)).volume,
        brainMask: maskPath ? (await readScanInput(maskPath)).volume : undefined,
        seg: segPath ? (await readScanInput(segPath)).volume : undefined,
        fileName: imagePath,
        brainMaskFileName: maskPath,
        segFileName: segPath,
      },
      { imageInterpolation },
    );

    outputs.write(paths.image, encodeVolume(paths.image, conformed.image, { datatype: 'float32' }));
    outputs.write(paths.brainMask, encodeVolume(paths.brainMask, conformed.brainMask, { datatype: 'uint8' }));
    // Labels are kept as they are: uint8 when it holds them, float32 otherwise (FreeSurfer labels, -1, fractions).
    let segDatatype: 'uint8' | 'float32' | null = null;
    if (conformed.seg && paths.seg) {
      segDatatype = labelDatatype(conformed.seg.data);
      outputs.write(paths.seg, encodeVolume(paths.seg, conformed.seg, { datatype: segDatatype }));
    }
    const summary = {
      input: { image: imagePath, brainMask: maskPath ?? null, seg: segPath ?? null },
      dims: conformed.image.dims,
      stats: conformed.stats,
      airSuggestion: conformed.stats.air.suggested ? 'on' : 'off',
      segDatatype,
    };
    outputs.write(paths.conform, JSON.stringify({ ...summary, mapping: conformed.mapping }, null, 2));
    return { ...summary, outputs: paths };
  },
};
