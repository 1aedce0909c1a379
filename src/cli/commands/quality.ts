// `fqlab quality`: SSIM-loss, l1 and FQ maps between an image and its reconstruction, on the given grid as-is.
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import { fqMap, l1Map, ssimLossMap } from '../../core/quality/index.ts';
import { numberFlag, optionalString, requiredString, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { encodeVolume, readVolumeFile, requireSameGrid } from '../io.ts';
import { mapSummary } from '../mapSummary.ts';
import type { PendingOutputs } from '../outputs.ts';

const OUTPUT_FLAGS = ['out-ssim', 'out-l1', 'out-fq'] as const;

export const qualityCommand: Command = {
  name: 'quality',
  summary: 'Compute the SSIM-loss, l1 and FQ maps between an image and its reconstruction.',
  usage:
    `--image X --recon Y [--alpha ${PAPER_PROTOCOL.fqAlpha}] [--out-ssim F] [--out-l1 F] [--out-fq F]\n` +
    '  Values are used as given; SSIM is computed on 2D slices along the third voxel axis.',
  options: {
    image: { type: 'string' },
    recon: { type: 'string' },
    alpha: { type: 'string' },
    'out-ssim': { type: 'string' },
    'out-l1': { type: 'string' },
    'out-fq': { type: 'string' },
  },
  run(flags: ParsedFlags, outputs: PendingOutputs) {
    const imagePath = requiredString(flags, 'image');
    const reconPath = requiredString(flags, 'recon');
    const alpha = numberFlag(flags, 'alpha', PAPER_PROTOCOL.fqAlpha, PAPER_PROTOCOL.alphaRange.min, PAPER_PROTOCOL.alphaRange.max);
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
    const fq = fqMap(ssimLoss, l1, alpha);

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
      ssimLoss: mapSummary(ssimLoss),
      l1: mapSummary(l1),
      fq: mapSummary(fq),
      outputs: written,
    };
  },
};
