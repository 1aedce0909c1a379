// `fqlab quality`: SSIM-loss, l1 and FQ maps (SSIM, MS-SSIM or GMS loss as FQ's structural term) between an image and its reconstruction, on the given grid as-is.
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import { fqMap, l1Map, ssimLossMap, STRUCTURAL_TERMS, structuralLossMap, type StructuralTerm } from '../../core/quality/index.ts';
import { choiceFlag, numberFlag, optionalString, requiredString, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { encodeVolume, readVolumeFile, requireSameGrid } from '../io.ts';
import { mapSummary } from '../mapSummary.ts';
import type { PendingOutputs } from '../outputs.ts';

const OUTPUT_FLAGS = ['out-ssim', 'out-l1', 'out-fq'] as const;

export const qualityCommand: Command = {
  name: 'quality',
  summary: 'Compute the SSIM-loss, l1 and FQ maps between an image and its reconstruction.',
  usage:
    `--image X --recon Y [--alpha ${PAPER_PROTOCOL.fqAlpha}] [--structural ssim|ms-ssim|gmsd] [--out-ssim F] [--out-l1 F] [--out-fq F]\n` +
    '  Values are used as given; SSIM is computed on 2D slices along the third voxel axis. --structural: the FQ map\'s\n' +
    '  structural term (ssim, the paper\'s, by default; ms-ssim or the GMS loss of gmsd, see the README); the report then\n' +
    '  summarizes that map too.',
  options: {
    image: { type: 'string' },
    recon: { type: 'string' },
    alpha: { type: 'string' },
    structural: { type: 'string' },
    'out-ssim': { type: 'string' },
    'out-l1': { type: 'string' },
    'out-fq': { type: 'string' },
  },
  run(flags: ParsedFlags, outputs: PendingOutputs) {
    const imagePath = requiredString(flags, 'image');
    const reconPath = requiredString(flags, 'recon');
    const alpha = numberFlag(flags, 'alpha', PAPER_PROTOCOL.fqAlpha, PAPER_PROTOCOL.alphaRange.min, PAPER_PROTOCOL.alphaRange.max);
    const structural = choiceFlag<StructuralTerm>(flags, 'structural', STRUCTURAL_TERMS, PAPER_PROTOCOL.structural.defaultTerm);
    const requested = OUTPUT_FLAGS.flatMap((flag) => {
      const path = optionalString(flags, flag);
      return path ? [{ flag, path }] : [];
    });
    for (const { path } of requested) outputs.file(path);
    const image = readVolumeFile(imagePath);
    const recon = readVolumeFile(reconPath);
    requireSameGrid(image, imagePath, recon, reconPath);

    const { dims } = image.volume;
    const ssimLoss = ssimLossMap(image.volume.data, recon.volume.data, dims);
    const l1 = l1Map(image.volume.data, recon.volume.data);
    const structuralLoss = structural === 'ssim' ? ssimLoss : structuralLossMap(structural, image.volume.data, recon.volume.data, dims);
    const fq = fqMap(structuralLoss, l1, alpha);

    const maps = { 'out-ssim': ssimLoss, 'out-l1': l1, 'out-fq': fq };
    const written: Record<string, string> = {};
    for (const { flag, path } of requested) {
      outputs.write(path, encodeVolume(path, { ...image.volume, data: maps[flag] }, { datatype: 'float32' }));
      written[flag.slice(4)] = path;
    }
    return {
      image: imagePath,
      recon: reconPath,
      dims,
      alpha,
      structural,
      ssimLoss: mapSummary(ssimLoss),
      ...(structural === 'ssim' ? {} : { structuralLoss: mapSummary(structuralLoss) }),
      l1: mapSummary(l1),
      fq: mapSummary(fq),
      outputs: written,
    };
  },
};
