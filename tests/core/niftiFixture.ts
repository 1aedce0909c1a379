// The shape of one nibabel-made NIfTI fixture in tests/fixtures/nifti (manifest.json), shared by the reader's tests.

export interface NiftiFixtureCase {
  name: string;
  file: string;
  version: 1 | 2;
  littleEndian: boolean;
  datatypeCode: number;
  sclSlope: number | null;
  sclInter: number | null;
  qformCode: number;
  sformCode: number;
  description: string;
  dims: [number, number, number];
  affine: number[];
  spacing: number[];
  orientation: string;
  data: number[];
}
