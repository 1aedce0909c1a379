// Cubic B-spline interpolation along one line, as scipy.ndimage (spline_filter1d + map_coordinates, order 3, mode 'mirror').

/** The pole of the cubic B-spline prefilter, sqrt(3) - 2. */
const POLE = Math.sqrt(3) - 2;

/**
 * Turn samples into cubic B-spline coefficients in place (Unser's recursive filter, as scipy's spline_filter1d
 * with mode 'mirror': the signal continues as d c b | a b c d | c b a, edge samples not repeated, and the causal
 * initialisation sums the whole mirrored line exactly).
 */
export function cubicSplineCoefficients(line: Float64Array): void {
  const n = line.length;
  if (n < 2) return;
  const z = POLE;
  const gain = (1 - z) * (1 - 1 / z);
  for (let i = 0; i < n; i++) line[i] *= gain;
  const zn1 = Math.pow(z, n - 1);
  let c0 = line[0] + zn1 * line[n - 1];
  let zi = z;
  for (let i = 1; i < n - 1; i++) {
    c0 += zi * (line[i] + zn1 * line[n - 1 - i]);
    zi *= z;
  }
  line[0] = c0 / (1 - zn1 * zn1);
  for (let i = 1; i < n; i++) line[i] += z * line[i - 1];
  line[n - 1] = ((z * line[n - 2] + line[n - 1]) * z) / (z * z - 1);
  for (let i = n - 2; i >= 0; i--) line[i] = z * (line[i + 1] - line[i]);
}

/** Index into a line of n samples extended by mirroring about its end samples. */
export function mirrorIndex(i: number, n: number): number {
  const period = 2 * n - 2;
  let m = period > 0 ? ((i % period) + period) % period : 0;
  if (m >= n) m = period - m;
  return m;
}

/** Cubic B-spline weights at a fractional offset of exactly one half: beta3(1.5) and beta3(0.5). */
const OUTER_WEIGHT = 1 / 48;
const INNER_WEIGHT = 23 / 48;

/**
 * Spline value at positions 2m + 0.5 (m = 0 .. output.length - 1) from coefficients: the four taps 2m - 1 .. 2m + 2
 * with weights 1/48, 23/48, 23/48, 1/48, mirrored at the ends.
 */
export function cubicSplineAtHalfSteps(coefficients: Float64Array, output: Float64Array): void {
  const n = coefficients.length;
  for (let m = 0; m < output.length; m++) {
    const i = 2 * m;
    const edge = i === 0 || i + 2 >= n;
    const before = coefficients[edge ? mirrorIndex(i - 1, n) : i - 1];
    const after = coefficients[edge ? mirrorIndex(i + 2, n) : i + 2];
    output[m] = OUTER_WEIGHT * (before + after) + INNER_WEIGHT * (coefficients[i] + coefficients[i + 1]);
  }
}
