// Tests the file-name heuristics that pre-fill roles, modalities and cases when files are dropped into the workbench.
import { describe, expect, it } from 'vitest';
import { groupIntoCases, guessModality, guessRole, subjectKey } from '../../src/analysis/fileRoles.ts';

describe('guessRole', () => {
  it.each([
    ['MSLUB_patient07/GOLD_STANDARD.nii.gz', 'segmentation'],
    ['BraTS2013_pat0001/seg.nii.gz', 'segmentation'],
    ['BraTS20_Training_001_seg.nii.gz', 'segmentation'],
    ['sub-01_label.nii', 'segmentation'],
    ['case3_lesion_mask.nii.gz', 'segmentation'],
    ['IXI002_T2_brainmask.nii.gz', 'brain-mask'],
    ['sub-01_T1w_mask.nii.gz', 'brain-mask'],
    ['BraTS2013_pat0001/brainmask.nii.gz', 'brain-mask'],
    ['IXI002_T2.nii.gz', 'image'],
    ['BraTS2013_pat0001/FLAIR_zscored.nii.gz', 'image'],
    ['colin27_T1.nii', 'image'],
  ])('%s -> %s', (name, role) => {
    expect(guessRole(name)).toBe(role);
  });
});

describe('guessModality', () => {
  it.each([
    ['BraTS20_Training_001_t1ce.nii.gz', 'T1CE'],
    ['BraTS20_Training_001_t1.nii.gz', 'T1'],
    ['BraTS20_Training_001_flair.nii.gz', 'FLAIR'],
    ['IXI002-Guys-0828-T2.nii.gz', 'T2'],
    ['IXI012-HH-1211-PD.nii.gz', 'PD'],
    ['sub-01_T1w.nii.gz', 'T1'],
    ['sub01T2w.nii', 'T2'],
    ['MSLUB_patient07/FLAIR.nii.gz', 'FLAIR'],
    ['brain.nii.gz', null],
  ])('%s -> %s', (name, modality) => {
    expect(guessModality(name)).toBe(modality);
  });
});

describe('groupIntoCases', () => {
  it('groups folder-per-subject drops and pairs each image with its mask and seg', () => {
    const files = [
      { fileId: 'a', fileName: 'BraTS2013_pat0001/FLAIR_zscored.nii.gz' },
      { fileId: 'b', fileName: 'BraTS2013_pat0001/brainmask.nii.gz' },
      { fileId: 'c', fileName: 'BraTS2013_pat0001/seg.nii.gz' },
      { fileId: 'd', fileName: 'BraTS2013_pat0002/FLAIR_zscored.nii.gz' },
      { fileId: 'e', fileName: 'BraTS2013_pat0002/seg.nii.gz' },
    ];
    const { cases, unassigned } = groupIntoCases(files);
    expect(unassigned).toEqual([]);
    expect(cases).toEqual([
      { caseId: 'brats2013_pat0001', imageFileId: 'a', brainMaskFileId: 'b', segFileId: 'c', modality: 'FLAIR', split: 'test' },
      { caseId: 'brats2013_pat0002', imageFileId: 'd', segFileId: 'e', modality: 'FLAIR', split: 'test' },
    ]);
  });

  it('gives each modality of one subject its own case and the mask that names it', () => {
    const files = [
      { fileId: '1', fileName: 'IXI002_T2.nii.gz' },
      { fileId: '2', fileName: 'IXI002_T1_brainmask.nii.gz' },
      { fileId: '3', fileName: 'IXI002_T1.nii.gz' },
      { fileId: '4', fileName: 'IXI002_T2_brainmask.nii.gz' },
    ];
    const { cases } = groupIntoCases(files);
    expect(cases).toEqual([
      { caseId: 'ixi002_t2', imageFileId: '1', brainMaskFileId: '4', modality: 'T2', split: 'healthy-train' },
      { caseId: 'ixi002_t1', imageFileId: '3', brainMaskFileId: '2', modality: 'T1', split: 'healthy-train' },
    ]);
  });

  it('returns masks and segmentations without an image as unassigned', () => {
    const files = [
      { fileId: 'x', fileName: 'lesion_01_seg.nii.gz' },
      { fileId: 'y', fileName: 'colin27_T1.nii.gz' },
    ];
    const { cases, unassigned } = groupIntoCases(files);
    expect(cases.map((c) => c.caseId)).toEqual(['colin27']);
    expect(unassigned).toEqual([{ fileId: 'x', fileName: 'lesion_01_seg.nii.gz' }]);
  });

  it('keeps the subject words and drops role and modality words', () => {
    expect(subjectKey('BraTS20_Training_001_t2_seg.nii.gz')).toBe('brats20_training_001');
    expect(subjectKey('MSLUB_patient07/GOLD_STANDARD.nii.gz')).toBe('mslub_patient07');
  });
});
