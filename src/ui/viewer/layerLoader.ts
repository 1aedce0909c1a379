// Turns a worker LayerFile (NIfTI bytes) into a NiiVue image in memory: no URL, no fetch.
import { NVImage, cmapper } from '@niivue/niivue';
import type { LayerFile } from '../../../workers/api.ts';
import { layerVolumeName, OUTLINE_LAYERS, type LayerStyle } from './layerStyles.ts';

/** NIfTI intent code NiiVue treats as a label map (needed for the outline rendering of the ground truth). */
const NIFTI_INTENT_LABEL = 1002;

/** Loads one layer; the segmentation and the brain mask become one-label outlines in their colormap's brightest colour. */
export async function layerToImage(file: LayerFile, style: LayerStyle): Promise<NVImage> {
  const bytes = file.bytes;
  // NiiVue wants an ArrayBuffer that holds exactly the file.
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  const isBackground = file.layer === 'image';
  const image = await NVImage.loadFromUrl({
    url: buffer as ArrayBuffer,
    name: layerVolumeName(file.layer),
    colormap: style.colormap,
    opacity: style.opacity,
    cal_min: file.min,
    cal_max: file.max > file.min ? file.max : file.min + 1,
    colorbarVisible: !isBackground && !(file.layer in OUTLINE_LAYERS),
  });
  const outlineLabel = OUTLINE_LAYERS[file.layer];
  if (outlineLabel) applyOutlineLabel(image, style.colormap, outlineLabel);
  return image;
}

/** Makes a binary label map render as an outline: label 1 transparent inside, drawn only where neighbours differ. */
export function applyOutlineLabel(image: NVImage, colormap: string, label: string): void {
  const lut = cmapper.colormap(colormap);
  const top = lut.length - 4;
  if (image.hdr) image.hdr.intent_code = NIFTI_INTENT_LABEL;
  image.setColormapLabel({ R: [lut[top], lut[top]], G: [lut[top + 1], lut[top + 1]], B: [lut[top + 2], lut[top + 2]], A: [0, 0], I: [0, 1], labels: ['', label] });
}

