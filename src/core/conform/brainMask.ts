// Brain masks for conform: binarising a given mask, and deriving one from a skull-stripped image when none is given.
import type { Volume } from '../volume.ts';

/** Share of the grid that must hold exactly the image minimum for that minimum to count as the background value. */
const CONSTANT_BACKGROUND_SHARE = 0.25;

/** 1 where `mask` is non-zero, else 0 (any non-zero value means brain, as with labels). */
export function binaryMask(mask: Volume): Volume {
  const src = mask.data;
  const data = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = src[i] !== 0 ? 1 : 0;
  return { ...mask, data };
}

/**
 * Intensity that marks background in a skull-stripped image: normally 0 (SPEC: brain = image > 0), but when at
 * least a quarter of the grid holds exactly the image minimum, that minimum (z-scored data such as BraTS, whose
 * background sits at about -3.6). For ordinary skull-stripped data both rules give image > 0.
 */
export function backgroundIntensity(image: Volume): number {
  const src = image.data;
  let min = Infinity;
  for (let i = 0; i < src.length; i++) if (src[i] < min) min = src[i];
  let atMin = 0;
  for (let i = 0; i < src.length; i++) if (src[i] === min) atMin++;
  return atMin >= CONSTANT_BACKGROUND_SHARE * src.length ? min : 0;
}

/**
 * Brain mask of a skull-stripped image without one: 1 where image > background (by default backgroundIntensity(image);
 * conform passes the value of the image before smoothing, which smoothing would blur).
 */
export function deriveBrainMask(image: Volume, background = backgroundIntensity(image)): Volume {
  const src = image.data;
  const data = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = src[i] > background ? 1 : 0;
  return { ...image, data };
}
