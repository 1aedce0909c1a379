// Voxel labels from a segmentation: any nonzero label is anomalous, as SPEC section 1 says.

/**
 * 0/1 labels from a segmentation volume (any nonzero, non-NaN value -> 1).
 * @example
 * labelsFromSegmentation([0, 2, 1, 0]); // Uint8Array [0, 1, 1, 0]
 */
export function labelsFromSegmentation(seg: ArrayLike<number>): Uint8Array {
  const labels = new Uint8Array(seg.length);
  for (let i = 0; i < seg.length; i++) {
    const v = seg[i];
    labels[i] = v > 0 || v < 0 ? 1 : 0;
  }
  return labels;
}
