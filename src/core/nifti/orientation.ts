// Axis codes of an affine ('RAS', 'LAS', 'LPS', ...) exactly as nibabel's aff2axcodes(io_orientation(affine)).
import { columnNorms, det3, linearPart, nearestOrthogonal } from './matrix3.ts';

const positiveLabels = ['R', 'A', 'S'];
const negativeLabels = ['L', 'P', 'I'];

/**
 * The world direction each voxel axis (i, j, k) points to most, e.g. 'LAS' when i runs right-to-left,
 * j posterior-to-anterior and k inferior-to-superior. An axis with no direction gets '?'.
 * @example orientationCode(volume.affine) // 'LAS' for the IXI T2 volumes
 */
export function orientationCode(affine: Float64Array): string {
  const linear = linearPart(affine);
  const norms = columnNorms(linear).map((n) => (n === 0 ? 1 : n));
  const unit = linear.map((v, n) => v / norms[n % 3]);
  // nibabel takes the polar factor via SVD; for the (usual) non-singular case Newton's iteration gives the same.
  const r = Math.abs(det3(unit)) > 1e-12 ? nearestOrthogonal(unit) : unit;
  let code = '';
  for (let col = 0; col < 3; col++) {
    const column = [r[col], r[3 + col], r[6 + col]];
    if (column.every((v) => Math.abs(v) <= 1e-8)) {
      code += '?';
      continue;
    }
    let best = 0;
    for (let row = 1; row < 3; row++) if (Math.abs(column[row]) > Math.abs(column[best])) best = row;
    code += column[best] < 0 ? negativeLabels[best] : positiveLabels[best];
    // this world axis is taken: remove it from consideration for the remaining voxel axes
    for (let c = 0; c < 3; c++) r[3 * best + c] = 0;
  }
  return code;
}
