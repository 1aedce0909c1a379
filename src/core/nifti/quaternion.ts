// Converts between the NIfTI qform quaternion (b, c, d, qfac) and rotation matrices, as nibabel and nifti_clib do.
import { det3, nearestOrthogonal, type Matrix3 } from './matrix3.ts';

/**
 * Rotation matrix of the quaternion (a, b, c, d) with a = sqrt(1 - b^2 - c^2 - d^2), following nibabel's
 * fillpositive + quat2mat. Returns undefined when b^2 + c^2 + d^2 exceeds 1 by more than `threshold` allows.
 */
export function quaternionToRotation(b: number, c: number, d: number, threshold: number): Matrix3 | undefined {
  const w2 = 1 - (b * b + c * c + d * d);
  if (w2 < threshold) return undefined;
  const a = w2 < 0 ? 0 : Math.sqrt(w2);
  const nq = a * a + b * b + c * c + d * d;
  if (nq < Number.EPSILON) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const s = 2 / nq;
  const [x, y, z] = [b * s, c * s, d * s];
  const [wx, wy, wz] = [a * x, a * y, a * z];
  const [xx, xy, xz] = [b * x, b * y, b * z];
  const [yy, yz, zz] = [c * y, c * z, d * z];
  return [1 - (yy + zz), xy - wz, xz + wy, xy + wz, 1 - (xx + zz), yz - wx, xz - wy, yz + wx, 1 - (xx + yy)];
}

/** qform parameters for an affine's linear part: quaternion b, c, d, qfac and voxel sizes (nifti_mat44_to_quatern). */
export interface QformParameters {
  b: number;
  c: number;
  d: number;
  qfac: 1 | -1;
  zooms: [number, number, number];
}

/**
 * Encodes a (possibly sheared) linear part as a qform: voxel sizes are the column norms, the rotation is the
 * nearest orthogonal matrix of the normalised columns, and a reflection goes into qfac (third column negated).
 */
export function rotationToQformParameters(linear: Matrix3): QformParameters {
  const zooms: [number, number, number] = [0, 0, 0];
  const unit = linear.slice();
  for (let col = 0; col < 3; col++) {
    const norm = Math.hypot(linear[col], linear[3 + col], linear[6 + col]);
    zooms[col] = norm;
    for (let row = 0; row < 3; row++) unit[3 * row + col] = linear[3 * row + col] / norm;
  }
  const r = nearestOrthogonal(unit);
  const qfac = det3(r) > 0 ? 1 : -1;
  if (qfac < 0) for (let row = 0; row < 3; row++) r[3 * row + 2] = -r[3 * row + 2];
  const [r11, r12, r13, r21, r22, r23, r31, r32, r33] = r;
  let a = r11 + r22 + r33 + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) [b, c, d] = [-b, -c, -d];
  }
  return { b, c, d, qfac, zooms };
}
