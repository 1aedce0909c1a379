// Histogram equalisation inside the brain as skimage's equalize_hist(img, nbins=256, mask=img>0) on float data, background re-zeroed (BASELINES.md 2).

/** Bins of the histogram (skimage's default). */
export const EQUALIZE_BINS = 256;

/**
 * The equalised image: the cumulative distribution of the voxels > 0 (np.histogram with `bins` equal bins over their
 * [min, max]), linearly interpolated between bin centres (np.interp) at every voxel, and 0 where the image is <= 0.
 */
export function equalizeHistogram(image: Float32Array, bins = EQUALIZE_BINS): Float32Array {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let count = 0;
  for (const v of image) {
    if (v > 0) {
      count++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const out = new Float32Array(image.length);
  if (count === 0) return out;
  // np.histogram widens an empty range by 0.5 on each side.
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = min + ((max - min) * i) / bins;
  edges[bins] = max;
  const hist = new Float64Array(bins);
  const norm = bins / (max - min);
  for (const v of image) {
    if (!(v > 0)) continue;
    // numpy's uniform-bin search: a first guess from the scaled value, corrected against the edges.
    let i = Math.floor((v - min) * norm);
    if (i === bins) i--;
    if (v < edges[i]) i--;
    else if (i !== bins - 1 && v >= edges[i + 1]) i++;
    hist[i]++;
  }
  const centres = new Float64Array(bins);
  const cdf = new Float64Array(bins);
  let running = 0;
  for (let i = 0; i < bins; i++) {
    centres[i] = (edges[i] + edges[i + 1]) / 2;
    running += hist[i];
    cdf[i] = running / count;
  }
  for (let k = 0; k < image.length; k++) {
    const v = image[k];
    if (!(v > 0)) continue;
    if (v <= centres[0]) out[k] = cdf[0];
    else if (v >= centres[bins - 1]) out[k] = cdf[bins - 1];
    else {
      const i = Math.min(bins - 2, Math.floor((v - centres[0]) / ((max - min) / bins)));
      const j = v < centres[i] ? i - 1 : v >= centres[i + 1] ? i + 1 : i;
      out[k] = cdf[j] + ((cdf[j + 1] - cdf[j]) * (v - centres[j])) / (centres[j + 1] - centres[j]);
    }
  }
  return out;
}
