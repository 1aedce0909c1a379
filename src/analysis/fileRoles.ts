// Heuristics that guess each dropped scan's role and modality from its name and group files into cases.
import { scanStem } from '../formats/scanFiles.ts';
import type { Modality } from '../core/modality.ts';
import type { CaseSpec } from './caseSpec.ts';

/** What a loaded file holds, guessed from its name and editable in the UI. */
export type VolumeRole = 'image' | 'brain-mask' | 'segmentation';

/** A loaded file as the grouping heuristics see it. */
export interface NamedFile {
  fileId: string;
  fileName: string;
}

/** Splits a name into lower-case tokens at separators and case changes: "sub01_T1ce-seg" -> [sub01, t1ce, seg]. */
function tokens(fileName: string): string[] {
  return scanStem(fileName)
    .split(/[^A-Za-z0-9]+/)
    .filter((t) => t.length > 0)
    .map((t) => t.toLowerCase());
}

const SEGMENTATION_TOKENS = new Set(['seg', 'segmentation', 'label', 'labels', 'lesion', 'lesions', 'gt', 'annotation']);
const BRAIN_MASK_TOKENS = new Set(['brainmask', 'mask']);

/**
 * Guesses a file's role. Segmentations: *seg*, *label*, *lesion*, *GOLD_STANDARD*, *gt*; brain masks: *brainmask*, *_mask*;
 * everything else is an image.
 */
export function guessRole(fileName: string): VolumeRole {
  const name = scanStem(fileName).toLowerCase();
  const parts = tokens(fileName);
  if (name.includes('gold_standard') || name.includes('goldstandard') || name.includes('consensus')) return 'segmentation';
  if (parts.some((t) => SEGMENTATION_TOKENS.has(t) || t.startsWith('seg') || t.startsWith('label'))) return 'segmentation';
  if (name.includes('brainmask') || name.includes('brain_mask') || parts.some((t) => BRAIN_MASK_TOKENS.has(t))) return 'brain-mask';
  return 'image';
}

/** Tokens naming each modality; T1CE first so "t1ce" never reads as T1. */
const MODALITY_TOKENS: readonly [Modality, readonly string[]][] = [
  ['T1CE', ['t1ce', 't1c', 't1gd', 't1post', 't1km', 'ce']],
  ['FLAIR', ['flair', 't2flair', 't2_flair']],
  ['T1', ['t1', 't1w', 'mprage']],
  ['T2', ['t2', 't2w']],
  ['PD', ['pd', 'pdw']],
];

/** Guesses a file's modality from its name tokens (e.g. "BraTS_001_t1ce.nii.gz" -> T1CE); null when nothing matches. */
export function guessModality(fileName: string): Modality | null {
  const parts = tokens(fileName);
  for (const [modality, names] of MODALITY_TOKENS) {
    if (parts.some((t) => names.includes(t))) return modality;
  }
  // Names glued to the modality, e.g. "IXI002-Guys-0828-T2" splits fine, but "sub01T1w" does not.
  const name = scanStem(fileName).toLowerCase();
  for (const [modality, names] of MODALITY_TOKENS) {
    if (names.some((n) => n.length >= 2 && n !== 'ce' && name.endsWith(n))) return modality;
  }
  return null;
}

/** Words for preprocessing steps and roles that say nothing about the subject. */
const PROCESSING_TOKENS = new Set([
  'gold', 'standard', 'consensus', 'brain', 'skullstripped', 'stripped', 'bet', 'reg', 'registered', 'zscored', 'zscore',
  'n4', 'corrected', 'biascorrected', 'norm', 'normalized', 'normalised', 'preprocessed', 'mni', 'sri24',
]);

/** Tokens that only describe the role or modality and do not identify the subject. */
function isDescriptorToken(token: string): boolean {
  if (SEGMENTATION_TOKENS.has(token) || BRAIN_MASK_TOKENS.has(token)) return true;
  if (token.startsWith('seg') || token.startsWith('label') || token === 'brainmask') return true;
  if (PROCESSING_TOKENS.has(token)) return true;
  return MODALITY_TOKENS.some(([, names]) => names.includes(token));
}

/**
 * The subject part of a path: the parent folder (dropped folders keep one per subject, e.g. "MSLUB_patient07/T2.nii.gz")
 * plus the name's tokens minus role and modality words ("BraTS_001_t2_seg" -> "brats_001").
 */
export function subjectKey(fileName: string): string {
  const folders = fileName.split(/[\\/]/).slice(0, -1);
  const parent = folders.length > 0 ? folders[folders.length - 1].toLowerCase() : '';
  const kept = tokens(fileName).filter((t) => !isDescriptorToken(t));
  const own = kept.join('_');
  if (parent && own) return `${parent}/${own}`;
  return parent || own || scanStem(fileName).toLowerCase();
}

/** The mask or segmentation for an image: one naming the same modality, else one naming none, else the only one. */
function pickCompanion(candidates: readonly NamedFile[], modality: Modality): NamedFile | undefined {
  const same = candidates.find((f) => guessModality(f.fileName) === modality);
  if (same) return same;
  const neutral = candidates.find((f) => guessModality(f.fileName) === null);
  if (neutral) return neutral;
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * Groups files into cases by subject key: each image becomes a case and takes the brain mask and segmentation
 * with the same key. With several images per subject (T1 and T2), each gets its own case and prefers the mask or
 * seg naming its modality (IXI002_T1_brainmask goes with IXI002_T1), else a shared one.
 * Masks and segmentations with no image are returned in `unassigned`. Split defaults to 'test' when a segmentation
 * is present, else 'healthy-train'; modality defaults to T2 (the paper's main setting) when the name says nothing.
 */
export function groupIntoCases(files: readonly NamedFile[]): { cases: CaseSpec[]; unassigned: NamedFile[] } {
  const bySubject = new Map<string, { images: NamedFile[]; masks: NamedFile[]; segs: NamedFile[] }>();
  for (const file of files) {
    const key = subjectKey(file.fileName);
    const group = bySubject.get(key) ?? { images: [], masks: [], segs: [] };
    const role = guessRole(file.fileName);
    if (role === 'image') group.images.push(file);
    else if (role === 'brain-mask') group.masks.push(file);
    else group.segs.push(file);
    bySubject.set(key, group);
  }
  const cases: CaseSpec[] = [];
  const unassigned: NamedFile[] = [];
  const used = new Set<string>();
  const usedCaseIds = new Set<string>();
  for (const [key, group] of bySubject) {
    const base = key.replace(/\//g, '_');
    for (const image of group.images) {
      const modality = guessModality(image.fileName) ?? 'T2';
      const mask = pickCompanion(group.masks, modality);
      const seg = pickCompanion(group.segs, modality);
      let caseId = group.images.length > 1 ? `${base}_${modality.toLowerCase()}` : base;
      for (let n = 2; usedCaseIds.has(caseId); n++) caseId = `${base}_${n}`;
      usedCaseIds.add(caseId);
      const spec: CaseSpec = { caseId, imageFileId: image.fileId, modality, split: seg ? 'test' : 'healthy-train' };
      if (mask) {
        spec.brainMaskFileId = mask.fileId;
        used.add(mask.fileId);
      }
      if (seg) {
        spec.segFileId = seg.fileId;
        used.add(seg.fileId);
      }
      cases.push(spec);
    }
    unassigned.push(...[...group.masks, ...group.segs].filter((f) => !used.has(f.fileId)));
  }
  return { cases, unassigned };
}
