// Curvature-flow smoothing of a scan as read (SPEC 1 step 0): ITK's CurvatureFlowImageFilter, reproduced operation for operation.
import { FqlabError } from '../errors.ts';
import type { Volume } from '../volume.ts';

/** Knobs of the smoothing; CURVATURE_FLOW_REFERENCE holds the reference's values. */
export interface CurvatureFlowOptions {
  /** Time step of each explicit update, in (intensity) mm^2 units since derivatives use the spacing. */
  timeStep: number;
  /** Number of updates. */
  iterations: number;
}

/** The pDDPM reader's `sitk.CurvatureFlow(timeStep=0.125, numberOfIterations=3)`. */
export const CURVATURE_FLOW_REFERENCE: Readonly<CurvatureFlowOptions> = { timeStep: 0.125, iterations: 3 };

/** ITK's CurvatureFlowFunction returns no update where the squared gradient magnitude is below this. */
const MIN_GRADIENT_MAGNITUDE_SQUARED = 1e-9;

/**
 * Smooths an image by curvature flow exactly as `sitk.CurvatureFlow` does on an image read with sitk.sitkFloat32
 * (the pDDPM reader). SimpleITK runs itk::CurvatureFlowImageFilter<Image<float, 3>, Image<double, 3>> (its output
 * pixel type is NumericTraits<float>::RealType = double), so everything after reading the float32 input is double,
 * as here. Every iteration computes, for every voxel from the previous iteration's values (a Jacobi step),
 *   update = sum_i f_i^2 (sum_{j != i} f_jj) - 2 sum_{i < j} f_i f_j f_ij, divided by |grad f|^2
 * (mean curvature times gradient magnitude), with central differences scaled by 1 / spacing (ITK's UseImageSpacing
 * default), no update where |grad f|^2 < 1e-9, and ZeroFluxNeumann boundaries (a neighbour outside the grid takes
 * the value of the nearest voxel inside, per axis); then f += update * timeStep. Operations run in ITK's order, so
 * the double result is ITK's to the bit; it is returned rounded to float32 (fqlab's volumes). The time step is
 * used as given (ITK does not limit it), so too large a step for fine spacing oscillates as in ITK. The spacing is
 * the volume's (the affine's column lengths); ITK's NIfTI reader takes pixdim, which agrees for consistent headers.
 * Returns a new volume on the same grid; the input is unchanged; throws FqlabError 'bad-argument' naming `fileName`
 * for a time step that is not positive or an iteration count that is not a whole number.
 */
export function curvatureFlow(volume: Volume, options: Readonly<CurvatureFlowOptions> = CURVATURE_FLOW_REFERENCE, fileName = 'image'): Volume {
  const { timeStep, iterations } = options;
  if (!(Number.isFinite(timeStep) && timeStep > 0) || !(Number.isInteger(iterations) && iterations >= 0)) {
    throw new FqlabError(
      'bad-argument',
      fileName,
      `curvature-flow smoothing needs a positive time step and a whole number of iterations (got time step ${timeStep}, ${iterations} iterations); the reference uses 0.125 and 3.`,
    );
  }
  let current = Float64Array.from(volume.data);
  let next = new Float64Array(current.length);
  for (let iteration = 0; iteration < iterations; iteration++) {
    curvatureFlowStep(current, next, volume.dims, volume.spacing, timeStep);
    [current, next] = [next, current];
  }
  return { dims: volume.dims, data: Float32Array.from(current), affine: volume.affine, spacing: volume.spacing };
}

/** One explicit update of every voxel of `current` into `next` (ITK's CalculateChange then ApplyUpdate). */
function curvatureFlowStep(
  current: Float64Array,
  next: Float64Array,
  dims: Volume['dims'],
  spacing: Volume['spacing'],
  timeStep: number,
): void {
  const [nx, ny, nz] = dims;
  const nxy = nx * ny;
  const [sx, sy, sz] = [1 / spacing[0], 1 / spacing[1], 1 / spacing[2]];
  const [sxx, syy, szz] = [sx * sx, sy * sy, sz * sz];
  for (let k = 0; k < nz; k++) {
    // Neighbour offsets clamped at the faces: ZeroFluxNeumann, one axis at a time (so also for the corner terms).
    const zm = k > 0 ? -nxy : 0;
    const zp = k < nz - 1 ? nxy : 0;
    for (let j = 0; j < ny; j++) {
      const ym = j > 0 ? -nx : 0;
      const yp = j < ny - 1 ? nx : 0;
      const row = nx * (j + ny * k);
      for (let i = 0; i < nx; i++) {
        const xm = i > 0 ? -1 : 0;
        const xp = i < nx - 1 ? 1 : 0;
        const c = row + i;
        const v = current[c];
        const twoV = 2 * v;
        const xPlus = current[c + xp];
        const xMinus = current[c + xm];
        const yPlus = current[c + yp];
        const yMinus = current[c + ym];
        const zPlus = current[c + zp];
        const zMinus = current[c + zm];
        const dx = 0.5 * (xPlus - xMinus) * sx;
        const dy = 0.5 * (yPlus - yMinus) * sy;
        const dz = 0.5 * (zPlus - zMinus) * sz;
        const magnitudeSquared = dx * dx + dy * dy + dz * dz;
        if (magnitudeSquared < MIN_GRADIENT_MAGNITUDE_SQUARED) {
          next[c] = v;
          continue;
        }
        const dxx = (xPlus - twoV + xMinus) * sxx;
        const dyy = (yPlus - twoV + yMinus) * syy;
        const dzz = (zPlus - twoV + zMinus) * szz;
        const dxy = 0.25 * crossDifference(current, c, xm, xp, ym, yp) * sx * sy;
        const dxz = 0.25 * crossDifference(current, c, xm, xp, zm, zp) * sx * sz;
        const dyz = 0.25 * crossDifference(current, c, ym, yp, zm, zp) * sy * sz;
        let update = (dyy + dzz) * (dx * dx);
        update += (dxx + dzz) * (dy * dy);
        update += (dxx + dyy) * (dz * dz);
        update -= 2 * dx * dy * dxy;
        update -= 2 * dx * dz * dxz;
        update -= 2 * dy * dz * dyz;
        update /= magnitudeSquared;
        next[c] = v + update * timeStep;
      }
    }
  }
}

/** f(-a, -b) - f(-a, +b) - f(+a, -b) + f(+a, +b), summed in ITK's order. */
function crossDifference(data: Float64Array, c: number, am: number, ap: number, bm: number, bp: number): number {
  return data[c + am + bm] - data[c + am + bp] - data[c + ap + bm] + data[c + ap + bp];
}
