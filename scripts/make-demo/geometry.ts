// World <-> voxel geometry for the demo maker: inverting a voxel-to-world affine and applying 4x4 affines to points.

/** The inverse of a row-major 4x4 affine (last row 0 0 0 1): world -> voxel for a voxel -> world affine. */
export function invertAffine(affine: ArrayLike<number>): Float64Array {
  const [a, b, c, tx, d, e, f, ty, g, h, i, tz] = Array.from({ length: 12 }, (_, n) => affine[n]);
  const c00 = e * i - f * h;
  const c01 = c * h - b * i;
  const c02 = b * f - c * e;
  const det = a * c00 + d * c01 + g * c02;
  if (det === 0) throw new RangeError('invertAffine: the affine is singular');
  const m = [
    c00, c01, c02,
    f * g - d * i, a * i - c * g, c * d - a * f,
    d * h - e * g, b * g - a * h, a * e - b * d,
  ].map((v) => v / det);
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    out[r * 4] = m[r * 3];
    out[r * 4 + 1] = m[r * 3 + 1];
    out[r * 4 + 2] = m[r * 3 + 2];
    out[r * 4 + 3] = -(m[r * 3] * tx + m[r * 3 + 1] * ty + m[r * 3 + 2] * tz);
  }
  out[15] = 1;
  return out;
}

/** Rotation about x, then y, then z (angles in degrees), as a row-major 3x3 matrix: R = Rz * Ry * Rx. */
export function rotationMatrix(degrees: readonly [number, number, number]): number[] {
  const [ax, ay, az] = degrees.map((d) => (d * Math.PI) / 180);
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(ax), Math.sin(ax), Math.cos(ay), Math.sin(ay), Math.cos(az), Math.sin(az)];
  return [
    cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx,
    sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx,
    -sy, cy * sx, cy * cx,
  ];
}
