// 4x4 spatial transforms of registration: elastix's parameter maps as matrices, LPS <-> RAS, inversion and composition.
import { multiplyAffine } from '../conform/affine.ts';
import { FqlabError } from '../errors.ts';

/** One elastix parameter map as itk-wasm passes it: every value a list of strings. */
export type ElastixParameterMap = Record<string, string[]>;

/** Row-major 4x4 affine that maps a point (mm) to a point (mm); the last row is 0 0 0 1. */
export type PointTransform = Float64Array;

/** ITK and elastix work in LPS+ world coordinates, NIfTI (and fqlab) in RAS+: the change flips x and y. */
const RAS_LPS_FLIP = Float64Array.from([-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

/** The inverse of an affine 4x4 (last row 0 0 0 1); throws a RangeError when its linear part is singular. */
export function invertAffine(m: ArrayLike<number>): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]];
  const c00 = e * i - f * h;
  const c01 = f * g - d * i;
  const c02 = d * h - e * g;
  const det = a * c00 + b * c01 + c * c02;
  if (!(Math.abs(det) > 1e-300)) throw new RangeError('the transform is singular and has no inverse');
  const r = [
    c00 / det, (c * h - b * i) / det, (b * f - c * e) / det,
    c01 / det, (a * i - c * g) / det, (c * d - a * f) / det,
    c02 / det, (b * g - a * h) / det, (a * e - b * d) / det,
  ];
  const t = [m[3], m[7], m[11]];
  const out = new Float64Array(16);
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) out[row * 4 + col] = r[row * 3 + col];
    out[row * 4 + 3] = -(r[row * 3] * t[0] + r[row * 3 + 1] * t[1] + r[row * 3 + 2] * t[2]);
  }
  out[15] = 1;
  return out;
}

/** The same transform written for RAS+ points when given for LPS+ points, and back (the flip is its own inverse). */
export function swapLpsRas(transform: ArrayLike<number>): Float64Array {
  return multiplyAffine(multiplyAffine(RAS_LPS_FLIP, transform), RAS_LPS_FLIP);
}

/** `second` after `first`: the point goes through `first`, then through `second`. */
export function composeTransforms(first: ArrayLike<number>, second: ArrayLike<number>): Float64Array {
  return multiplyAffine(second, first);
}

/** Rotation of ITK's Euler3DTransform: Rz * Rx * Ry by default, Rz * Ry * Rx with ComputeZYX. */
function eulerRotation(ax: number, ay: number, az: number, zyx: boolean): number[] {
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(ax), Math.sin(ax), Math.cos(ay), Math.sin(ay), Math.cos(az), Math.sin(az)];
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const times = (p: number[], q: number[]): number[] =>
    [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => p[r * 3] * q[c] + p[r * 3 + 1] * q[3 + c] + p[r * 3 + 2] * q[6 + c]));
  return zyx ? times(rz, times(ry, rx)) : times(rz, times(rx, ry));
}

function numbers(map: ElastixParameterMap, key: string, count: number, fallback?: number[]): number[] {
  const values = map[key]?.map(Number) ?? fallback;
  if (!values || values.length !== count || !values.every(Number.isFinite)) {
    throw new FqlabError('bad-argument', 'registration', `elastix returned no usable ${key} (${map[key]?.join(' ') ?? 'missing'}); this is a bug in fqlab's registration, please report it.`);
  }
  return values;
}

/**
 * The fixed-to-moving point transform (LPS+, mm) of one elastix result map: T(p) = M (p - c) + c + t, with c the
 * CenterOfRotationPoint. Euler ([ax, ay, az, tx, ty, tz], radians), affine ([m00 .. m22 row-major, tx, ty, tz]) and
 * translation maps; the map's own InitialTransform is not included (compose the maps in order).
 */
export function elastixMapTransform(map: ElastixParameterMap): PointTransform {
  const kind = map.Transform?.[0];
  const parameters = map.TransformParameters ?? [];
  let linear: number[];
  let translation: number[];
  if (kind === 'EulerTransform') {
    const p = numbers(map, 'TransformParameters', 6);
    linear = eulerRotation(p[0], p[1], p[2], map.ComputeZYX?.[0] === 'true');
    translation = p.slice(3);
  } else if (kind === 'AffineTransform') {
    const p = numbers(map, 'TransformParameters', 12);
    linear = p.slice(0, 9);
    translation = p.slice(9);
  } else if (kind === 'TranslationTransform') {
    linear = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    translation = numbers(map, 'TransformParameters', 3);
  } else {
    throw new FqlabError('bad-argument', 'registration', `elastix returned a ${kind ?? 'missing'} transform with ${parameters.length} parameters; fqlab reads only Euler, affine and translation transforms.`);
  }
  const centre = kind === 'TranslationTransform' ? [0, 0, 0] : numbers(map, 'CenterOfRotationPoint', 3);
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    let moved = 0;
    for (let c = 0; c < 3; c++) {
      out[r * 4 + c] = linear[r * 3 + c];
      moved += linear[r * 3 + c] * centre[c];
    }
    out[r * 4 + 3] = centre[r] + translation[r] - moved;
  }
  out[15] = 1;
  return out;
}

/**
 * The whole fixed-to-moving transform of an elastix transform parameter object whose maps ran one after the other
 * (rigid, then affine initialised by it): elastix applies the earlier map to a fixed point first.
 */
export function elastixChainTransform(maps: readonly ElastixParameterMap[]): PointTransform {
  let total: Float64Array = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  for (const map of maps) total = composeTransforms(total, elastixMapTransform(map));
  return total;
}
