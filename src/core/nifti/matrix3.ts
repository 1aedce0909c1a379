// Small 3x3 matrix helpers (row-major number[9]) for NIfTI transforms: determinant, inverse and nearest rotation.

export type Matrix3 = number[];

/** The upper-left 3x3 of a row-major 4x4 affine. */
export function linearPart(affine: ArrayLike<number>): Matrix3 {
  return [affine[0], affine[1], affine[2], affine[4], affine[5], affine[6], affine[8], affine[9], affine[10]];
}

export function det3(m: Matrix3): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/** Transpose of the inverse (the cofactor matrix over the determinant). */
function inverseTranspose(m: Matrix3): Matrix3 {
  const d = det3(m);
  return [
    (m[4] * m[8] - m[5] * m[7]) / d, (m[5] * m[6] - m[3] * m[8]) / d, (m[3] * m[7] - m[4] * m[6]) / d,
    (m[2] * m[7] - m[1] * m[8]) / d, (m[0] * m[8] - m[2] * m[6]) / d, (m[1] * m[6] - m[0] * m[7]) / d,
    (m[1] * m[5] - m[2] * m[4]) / d, (m[2] * m[3] - m[0] * m[5]) / d, (m[0] * m[4] - m[1] * m[3]) / d,
  ];
}

/** Euclidean norms of the three columns (voxel sizes of an affine's linear part). */
export function columnNorms(m: Matrix3): [number, number, number] {
  return [0, 1, 2].map((c) => Math.hypot(m[c], m[3 + c], m[6 + c])) as [number, number, number];
}

/**
 * The orthogonal factor of the polar decomposition (the closest shear-free rotation/reflection),
 * by Newton's iteration X <- (X + X^-T) / 2; `m` must be non-singular.
 */
export function nearestOrthogonal(m: Matrix3): Matrix3 {
  let x = m.slice();
  for (let iter = 0; iter < 100; iter++) {
    const it = inverseTranspose(x);
    const next = x.map((v, n) => 0.5 * (v + it[n]));
    const change = Math.max(...next.map((v, n) => Math.abs(v - x[n])));
    x = next;
    if (change < 1e-15) break;
  }
  return x;
}
