// The case list's split counts and search (src/ui/stores/caseListView.ts).
import { describe, expect, it } from 'vitest';
import { caseMatches, splitCounts } from '../../src/ui/stores/caseListView.ts';
import type { CaseEntry, LoadedFileEntry } from '../../src/ui/stores/dataStore.ts';

const entry = (caseId: string, split: CaseEntry['spec']['split'], imageFileId: string) =>
  ({ spec: { caseId, split, modality: 'T2', imageFileId }, status: 'ready' }) as CaseEntry;
const files = [{ fileId: 'f1', fileName: 'BraTS_001_flair.nii.gz' }, { fileId: 'f2', fileName: 'IXI002_T2.nii.gz' }] as LoadedFileEntry[];
const cases = [entry('brats_001', 'test', 'f1'), entry('ixi002', 'healthy-train', 'f2'), entry('ixi003', 'healthy-train', 'f3')];

describe('the case list', () => {
  it('counts the cases of every split', () => {
    expect(splitCounts(cases)).toEqual({ 'healthy-train': 2, validation: 0, test: 1 });
  });

  it('finds cases by any words of their id, split, modality or file names', () => {
    const found = (query: string) => cases.filter((c) => caseMatches(c, query, files)).map((c) => c.spec.caseId);
    expect(found('')).toEqual(['brats_001', 'ixi002', 'ixi003']);
    expect(found('FLAIR')).toEqual(['brats_001']);
    expect(found('ixi train')).toEqual(['ixi002', 'ixi003']);
    expect(found('ixi 002')).toEqual(['ixi002']);
    expect(found('validation')).toEqual([]);
  });
});
