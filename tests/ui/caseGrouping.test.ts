// Case grouping in the workbench: dropped files that fqlab already conformed are accepted as they are, as the CLI does.
import { describe, expect, it } from 'vitest';
import type { LoadedFileInfo } from '../../workers/api.ts';
import { reconcileCases } from '../../src/ui/stores/caseGrouping.ts';
import type { LoadedFileEntry } from '../../src/ui/stores/dataStore.ts';

function file(fileId: string, fileName: string, dims: [number, number, number], max: number): LoadedFileEntry {
  const info: LoadedFileInfo = { fileId, fileName, source: 'nifti', dims, spacing: [2, 2, 2], orientation: 'RAS', datatypeName: 'float32', min: 0, max };
  return { fileId, fileName, info, role: 'image' };
}

describe('reconcileCases', () => {
  it('marks a 96x96x50 image with values in [0, 1] as already conformed, and leaves raw scans to be conformed', () => {
    const files = [file('a', 'test-01_T1.nii.gz', [96, 96, 50], 1), file('b', 'IXI002_T2.nii.gz', [256, 256, 130], 1), file('c', 'other_T1.nii.gz', [96, 96, 50], 812)];
    const cases = reconcileCases(files, [], new Set(['a', 'b', 'c']));
    const conformed = Object.fromEntries(cases.map((c) => [c.spec.imageFileId, c.spec.conformed === true]));
    expect(conformed).toEqual({ a: true, b: false, c: false });
  });
});
