// Small synthetic NIfTI-1 volumes for the browser tests: an ellipsoid "brain" with texture, optional bright lesion and its mask.
import type { NamedBytes } from './page.ts';
export interface SyntheticCaseOptions {
  dims?: [number, number, number];
  spacing?: [number, number, number];
  /** Lesion centre as fractions of the grid, and radius in voxels; none for a healthy volume. */
  lesion?: { centre: [number, number, number]; radius: number };
  /** Extra length-1 or longer 4th dimension (to test refusal of 4D data). */
  frames?: number;
  seed?: number;
}

const HEADER_BYTES = 348;
const VOX_OFFSET = 352;

/** A NIfTI-1 single file (.nii) of float32 (datatype 16) or uint8 (datatype 2) voxels, sform = scaled identity. */
export function niftiBytes(data: Float32Array | Uint8Array, dims: number[], spacing: [number, number, number]): Uint8Array {
  const isFloat = data instanceof Float32Array;
  const bytes = new Uint8Array(VOX_OFFSET + data.byteLength);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, HEADER_BYTES, true);
  view.setInt16(40, dims.length, true);
  for (let d = 0; d < 7; d++) view.setInt16(42 + 2 * d, dims[d] ?? 1, true);
  view.setInt16(70, isFloat ? 16 : 2, true);
  view.setInt16(72, isFloat ? 32 : 8, true);
  const pixdim = [1, ...spacing, 1, 1, 1, 1];
  pixdim.forEach((p, d) => view.setFloat32(76 + 4 * d, p, true));
  view.setFloat32(108, VOX_OFFSET, true);
  view.setFloat32(112, 1, true);
  view.setFloat32(116, 0, true);
  view.setUint8(123, 2); // mm
  view.setInt16(252, 0, true); // qform_code
  view.setInt16(254, 2, true); // sform_code: aligned anatomical
  const [nx, ny, nz] = dims;
  const rows = [
    [spacing[0], 0, 0, (-(nx - 1) * spacing[0]) / 2],
    [0, spacing[1], 0, (-(ny - 1) * spacing[1]) / 2],
    [0, 0, spacing[2], (-(nz - 1) * spacing[2]) / 2],
  ];
  rows.forEach((row, r) => row.forEach((v, c) => view.setFloat32(280 + 16 * r + 4 * c, v, true)));
  bytes.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0"
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), VOX_OFFSET);
  return bytes;
}

/** A textured ellipsoid brain (values about 0.2-0.6, background 0), with a bright lesion and its binary mask if asked. */
export function syntheticCase(options: SyntheticCaseOptions = {}): { image: Uint8Array; segmentation: Uint8Array | null } {
  const dims = options.dims ?? [64, 64, 40];
  const spacing = options.spacing ?? [2.5, 2.5, 3];
  const frames = options.frames ?? 1;
  const seed = options.seed ?? 1;
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const image = new Float32Array(n * frames);
  const seg = new Uint8Array(n);
  const lesion = options.lesion;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const x = (i - (nx - 1) / 2) / (nx * 0.42);
        const y = (j - (ny - 1) / 2) / (ny * 0.46);
        const z = (k - (nz - 1) / 2) / (nz * 0.45);
        const r2 = x * x + y * y + z * z;
        if (r2 > 1) continue;
        const texture = 0.08 * Math.sin(i * 0.55 + seed) * Math.cos(j * 0.45) + 0.05 * Math.sin(k * 0.7 + j * 0.2);
        let value = 0.35 + 0.15 * (1 - r2) + texture;
        if (lesion) {
          const [cx, cy, cz] = lesion.centre;
          const dx = i - cx * nx;
          const dy = j - cy * ny;
          const dz = (k - cz * nz) * (spacing[2] / spacing[0]);
          if (dx * dx + dy * dy + dz * dz <= lesion.radius * lesion.radius) {
            value = 0.95;
            seg[i + nx * (j + ny * k)] = 1;
          }
        }
        for (let f = 0; f < frames; f++) image[f * n + i + nx * (j + ny * k)] = value;
      }
    }
  }
  const imageDims = frames > 1 ? [nx, ny, nz, frames] : [nx, ny, nz];
  return { image: niftiBytes(image, imageDims, spacing), segmentation: lesion ? niftiBytes(seg, [nx, ny, nz], spacing) : null };
}

/** A healthy volume, a validation lesion case and a test lesion case, all small and generated here. */
export function syntheticSet(): NamedBytes[] {
  const healthy = syntheticCase({ seed: 1 });
  const valCase = syntheticCase({ seed: 2, lesion: { centre: [0.35, 0.45, 0.5], radius: 6 } });
  const testCase = syntheticCase({ seed: 3, lesion: { centre: [0.62, 0.55, 0.45], radius: 5 } });
  return [
    { name: 'synthA_T2.nii', bytes: healthy.image },
    { name: 'synthB_T2.nii', bytes: valCase.image },
    { name: 'synthB_seg.nii', bytes: valCase.segmentation! },
    { name: 'synthC_T2.nii', bytes: testCase.image },
    { name: 'synthC_seg.nii', bytes: testCase.segmentation! },
  ];
}
