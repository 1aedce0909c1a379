// Step 1 of conform: reorder and flip voxel axes so the grid runs in canonical RAS+ order (nibabel.as_closest_canonical).
import type { Volume } from '../volume.ts';
import { canonicalDims, orientedBlock, type CanonicalOrientation } from './block.ts';

type Matrix3 = number[][];

function inverseTranspose3(m: Matrix3): Matrix3 | null {
  const [a, b, c] = m[0];
  const [d, e, f] = m[1];
  const [g, h, i] = m[2];
  const c00 = e * i - f * h;
  const c01 = f * g - d * i;
  const c02 = d * h - e * g;
  const det = a * c00 + b * c01 + c * c02;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null;
  // The inverse transpose is the cofactor matrix divided by the determinant.
  return [
    [c00 / det, c01 / det, c02 / det],
    [(c * h - b * i) / det, (a * i - c * g) / det, (b * g - a * h) / det],
    [(b * f - c * e) / det, (c * d - a * f) / det, (a * e - b * d) / det],
  ];
}

/**
 * Closest rotation to the direction-cosine matrix (polar decomposition, as nibabel.io_orientation does with an
 * SVD), by Newton's iteration X <- (X + X^-T) / 2. A singular matrix is used as it is.
 */
function closestRotation(rs: Matrix3): Matrix3 {
  let x = rs.map((row) => row.slice());
  for (let iter = 0; iter < 100; iter++) {
    const inv = inverseTranspose3(x);
    if (inv === null) return x;
    let change = 0;
    const next = x.map((row, r) => row.map((v, c) => 0.5 * (v + inv[r][c])));
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) change = Math.max(change, Math.abs(next[r][c] - x[r][c]));
    x = next;
    if (change < 1e-15) break;
  }
  return x;
}

/**
 * The canonical orientation of a grid, chosen exactly like nibabel.io_orientation: normalise the affine's
 * columns, take the closest rotation, then for input axes 0, 1, 2 in turn pick the world axis with the largest
 * absolute cosine not yet taken (first on ties), its sign giving the flip.
 */
export function closestCanonicalOrientation(affine: ArrayLike<number>): CanonicalOrientation {
  const rs: Matrix3 = [0, 1, 2].map(() => [0, 0, 0]);
  for (let c = 0; c < 3; c++) {
    const norm = Math.hypot(affine[c], affine[4 + c], affine[8 + c]) || 1;
    for (let r = 0; r < 3; r++) rs[r][c] = affine[r * 4 + c] / norm;
  }
  const rotation = closestRotation(rs);
  const axes = [0, 1, 2];
  const flips = [false, false, false];
  const taken = [false, false, false];
  for (let inAxis = 0; inAxis < 3; inAxis++) {
    let best = -1;
    for (let outAxis = 0; outAxis < 3; outAxis++) {
      if (taken[outAxis]) continue;
      if (best < 0 || Math.abs(rotation[outAxis][inAxis]) > Math.abs(rotation[best][inAxis])) best = outAxis;
    }
    taken[best] = true;
    axes[best] = inAxis;
    flips[best] = rotation[best][inAxis] < 0;
  }
  return { axes: [axes[0], axes[1], axes[2]], flips: [flips[0], flips[1], flips[2]] };
}

/** Axis codes of the input grid as nibabel.aff2axcodes writes them, e.g. 'LAS' for a radiological IXI scan. */
export function orientationCodes(orientation: CanonicalOrientation): string {
  const { axes, flips } = orientation;
  const letters = [
    ['R', 'L'],
    ['A', 'P'],
    ['S', 'I'],
  ];
  const codes = ['', '', ''];
  for (let a = 0; a < 3; a++) codes[axes[a]] = letters[a][flips[a] ? 1 : 0];
  return codes.join('');
}

/**
 * Reorder and flip voxel axes into canonical RAS+ order (axis permutation and flips only, no resampling); the
 * affine is updated exactly so every voxel keeps its world position. Pass the image's orientation when reorienting
 * its mask and labels, so all three move together.
 */
export function reorientToCanonical(
  volume: Volume,
  orientation: CanonicalOrientation = closestCanonicalOrientation(volume.affine),
): Volume {
  return orientedBlock(volume, orientation, [0, 0, 0], canonicalDims(volume.dims, orientation));
}
