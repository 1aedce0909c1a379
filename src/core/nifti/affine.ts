// The voxel-to-world affine of a NIfTI header with nibabel's precedence: sform, else qform, else pixdim only.
import { FqlabError } from '../errors.ts';
import type { NiftiGeometry } from './header.ts';
import { columnNorms, det3, linearPart } from './matrix3.ts';
import { quaternionToRotation } from './quaternion.ts';

/** Row-major 4x4 voxel-to-world affine as nibabel's get_best_affine computes it; refuses unusable transforms. */
export function headerAffine(geometry: NiftiGeometry, fileName: string): Float64Array {
  const affine =
    geometry.affineSource === 'sform' ? sformAffine(geometry)
      : geometry.affineSource === 'qform' ? qformAffine(geometry, fileName)
        : pixdimAffine(geometry);
  const transform = `the ${geometry.affineSource === 'pixdim' ? 'pixdim voxel sizes' : geometry.affineSource}`;
  if (!affine.every(Number.isFinite)) {
    throw new FqlabError('bad-header', fileName,
      `has NaN or infinite numbers in ${transform}, so voxels have no position in space; fix the header's transform (e.g. nibabel set_sform) and save again`);
  }
  const linear = linearPart(affine);
  const scale = Math.max(...columnNorms(linear));
  if (!(Math.abs(det3(linear)) > 1e-12 * scale ** 3)) {
    throw new FqlabError('bad-header', fileName,
      `has a singular voxel-to-world matrix in ${transform} (voxels collapse onto a plane or line); fix the header's transform (e.g. nibabel set_sform) and save again`);
  }
  return affine;
}

/** Voxel sizes in mm along i, j, k: the norms of the affine's first three columns. */
export function spacingFromAffine(affine: Float64Array): [number, number, number] {
  return columnNorms(linearPart(affine));
}

function sformAffine(g: NiftiGeometry): Float64Array {
  const a = new Float64Array(16);
  a.set(g.srow);
  a[15] = 1;
  return a;
}

/** R * diag(pixdim[1], pixdim[2], qfac * pixdim[3]) plus qoffset (nibabel Nifti1Header.get_qform). */
function qformAffine(g: NiftiGeometry, fileName: string): Float64Array {
  const r = quaternionToRotation(g.quatern[0], g.quatern[1], g.quatern[2], g.quaternionThreshold);
  if (!r) {
    throw new FqlabError('bad-header', fileName,
      `has an invalid qform quaternion (b, c, d) = (${g.quatern.join(', ')}): b^2 + c^2 + d^2 exceeds 1; fix the qform (e.g. nibabel set_qform) and save again`);
  }
  const [qfac, px, py, pz] = g.pixdim;
  const zooms = [px, py, qfac * pz];
  const a = new Float64Array(16);
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) a[4 * row + col] = r[3 * row + col] * zooms[col];
    a[4 * row + 3] = g.qoffset[row];
  }
  a[15] = 1;
  return a;
}

/** nibabel's get_base_affine: x flipped (radiological), origin at the grid centre (shape_zoom_affine). */
function pixdimAffine(g: NiftiGeometry): Float64Array {
  const zooms = [g.pixdim[1], g.ndim >= 2 ? g.pixdim[2] : 1, g.ndim >= 3 ? g.pixdim[3] : 1];
  zooms[0] = -zooms[0];
  const a = new Float64Array(16);
  for (let axis = 0; axis < 3; axis++) {
    a[5 * axis] = zooms[axis];
    a[4 * axis + 3] = (-(g.dims[axis] - 1) / 2) * zooms[axis];
  }
  a[15] = 1;
  return a;
}
