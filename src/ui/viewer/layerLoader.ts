// Turns a worker LayerFile (NIfTI bytes) into a NiiVue image in memory (no URL, no fetch): maps are cut to the brain
// mask with zero transparent and windowed, label maps become outlines; a new map is written into a loaded one in place.
import { NVImage, cmapper } from '@niivue/niivue';
import type { LayerFile, MapLayer, ThresholdSource } from '../../../workers/api.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { MAP_COLORMAP, MAP_COLORMAP_TABLE, QUALITY_MAP_LAYERS, layerVolumeName, OUTLINE_LAYERS, type LayerStyle } from './layerStyles.ts';
import { mapWindow } from './mapWindow.ts';
import { useMapWindowStore } from './mapWindowStore.ts';

/** NIfTI intent code NiiVue treats as a label map (needed for the outline rendering of the ground truth). */
const NIFTI_INTENT_LABEL = 1002;
/** NiiVue's COLORMAP_TYPE.ZERO_TO_MAX_TRANSPARENT_BELOW_MIN (the enum is not exported): colours from 0, below cal_min clear. */
const ZERO_TO_MAX_TRANSPARENT_BELOW_MIN = 1;

cmapper.addColormap(MAP_COLORMAP, MAP_COLORMAP_TABLE);

async function imageFromFile(file: LayerFile, style: LayerStyle, name: string): Promise<NVImage> {
  const bytes = file.bytes;
  // NiiVue wants an ArrayBuffer that holds exactly the file.
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  return NVImage.loadFromUrl({
    url: buffer as ArrayBuffer,
    name,
    colormap: style.colormap,
    opacity: style.opacity,
    cal_min: file.min,
    cal_max: file.max > file.min ? file.max : file.min + 1,
    // Colorbars are drawn beside the canvas (MapColorbar), never over the image.
    colorbarVisible: false,
  });
}

/** Brain masks by case and case definition: a rescore reloads the maps, and the mask must not cost a second wait on a busy worker. */
const brainMasks = new Map<string, Promise<ArrayLike<number> | undefined>>();
const BRAIN_MASKS_KEPT = 16;

/** The brain mask of a case's current definition (fetched once, then kept), on the layers' grid; undefined if it has no voxels. */
export function brainMaskOf(caseId: string): Promise<ArrayLike<number> | undefined> {
  const definedAs = useDataStore.getState().cases.find((c) => c.spec.caseId === caseId)?.definedAs ?? '';
  const key = `${caseId}|${definedAs}`;
  let mask = brainMasks.get(key);
  if (!mask) {
    mask = workbenchWorker()
      .getLayer({ caseId, layer: 'brain-mask' })
      .then(async (file) => (await imageFromFile(file, { colormap: 'gray', opacity: 1 }, 'brain-mask-for-cut.nii')).img);
    mask.catch(() => brainMasks.delete(key));
    brainMasks.set(key, mask);
    if (brainMasks.size > BRAIN_MASKS_KEPT) brainMasks.delete(brainMasks.keys().next().value ?? key);
  }
  return mask;
}

/** The threshold chosen for this very map (the post-processed FQ map when FQ is scored), or null. */
function thresholdFor(layer: MapLayer): { value: number; source: ThresholdSource } | null {
  const { evaluation, score } = useAnalysisStore.getState();
  const threshold = evaluation?.threshold;
  if (layer !== 'fq' || score !== 'fq' || !threshold || threshold.value === null) return null;
  return { value: threshold.value, source: threshold.source };
}

/** The threshold each loaded quality map was windowed for (null: the percentile window). */
const windowedFor = new WeakMap<NVImage, number | null>();

/** Sets a quality map's window (0 up to twice the threshold chosen for it now, else a percentile) and tells the colorbar. */
function windowQualityMap(image: NVImage, caseId: string, layer: MapLayer, mask: ArrayLike<number>): void {
  if (!image.img) return;
  const threshold = thresholdFor(layer);
  const window = mapWindow(image.img, mask, threshold);
  image.cal_min = window.max / 255; // one colour step: exact zeros (outside the brain) stay transparent
  image.cal_max = window.max;
  image.colormapType = ZERO_TO_MAX_TRANSPARENT_BELOW_MIN;
  windowedFor.set(image, threshold?.value ?? null);
  useMapWindowStore.getState().setWindow(caseId, layer, window);
}

/** Whether a loaded quality map was windowed for another threshold than the one chosen now (a newer study's). */
export function windowIsStale(image: NVImage, layer: MapLayer): boolean {
  return QUALITY_MAP_LAYERS.includes(layer) && windowedFor.get(image) !== (thresholdFor(layer)?.value ?? null);
}

/** Windows a loaded quality map again for the threshold chosen now; its voxels stay. */
export async function rewindowMap(image: NVImage, caseId: string, layer: MapLayer): Promise<void> {
  const mask = await brainMaskOf(caseId);
  if (mask) windowQualityMap(image, caseId, layer, mask);
}

/**
 * Writes a new map (the worker's, on the same grid) into a loaded quality-map image in place, cut to the brain mask
 * and windowed as a loaded one: no NIfTI encode, transfer or parse. False, with nothing written, when the image
 * cannot take it (another grid or data type); then load the layer instead.
 */
export function writeMapVoxels(image: NVImage, caseId: string, layer: MapLayer, voxels: Float32Array, mask: ArrayLike<number>): boolean {
  const img = image.img;
  if (!QUALITY_MAP_LAYERS.includes(layer) || !(img instanceof Float32Array) || img.length !== voxels.length || mask.length !== voxels.length) return false;
  img.set(voxels);
  cutToBrain(image, mask);
  windowQualityMap(image, caseId, layer, mask);
  return true;
}

/** Clears every voxel outside the brain mask (and every non-finite one) to 0, which the maps draw transparent. */
function cutToBrain(image: NVImage, mask: ArrayLike<number>): void {
  const img = image.img;
  if (!img || img.length !== mask.length) return;
  for (let i = 0; i < img.length; i++) if (mask[i] === 0 || !Number.isFinite(img[i])) img[i] = 0;
}

/** Makes every non-zero label 1, so any label set (e.g. BraTS 1, 2, 4) draws as one outline. */
function binarise(image: NVImage): void {
  const img = image.img;
  if (!img) return;
  for (let i = 0; i < img.length; i++) img[i] = img[i] !== 0 ? 1 : 0;
  image.cal_min = 0;
  image.cal_max = 1;
}

/** Loads one layer; maps are cut to the brain mask and windowed, label layers become outlines in their colormap's brightest colour. */
export async function layerToImage(file: LayerFile, style: LayerStyle): Promise<NVImage> {
  const image = await imageFromFile(file, style, layerVolumeName(file.layer));
  const outlineLabel = OUTLINE_LAYERS[file.layer];
  if (outlineLabel) {
    binarise(image);
    applyOutlineLabel(image, style.colormap, outlineLabel);
    return image;
  }
  if (file.layer === 'image' || file.layer === 'brain-mask') return image;
  const mask = await brainMaskOf(file.caseId);
  if (mask) cutToBrain(image, mask);
  if (QUALITY_MAP_LAYERS.includes(file.layer) && image.img && mask) {
    windowQualityMap(image, file.caseId, file.layer, mask);
  } else {
    // The reconstruction: its own range, the cleared background transparent.
    const top = file.max > 0 ? file.max : 1;
    image.cal_min = top / 255;
    image.cal_max = top;
    image.colormapType = ZERO_TO_MAX_TRANSPARENT_BELOW_MIN;
  }
  return image;
}

/** Makes a binary label map render as an outline: label 1 transparent inside, drawn only where neighbours differ. */
export function applyOutlineLabel(image: NVImage, colormap: string, label: string): void {
  const lut = cmapper.colormap(colormap);
  const top = lut.length - 4;
  if (image.hdr) image.hdr.intent_code = NIFTI_INTENT_LABEL;
  image.setColormapLabel({ R: [lut[top], lut[top]], G: [lut[top + 1], lut[top + 1]], B: [lut[top + 2], lut[top + 2]], A: [0, 0], I: [0, 1], labels: ['', label] });
}
