// Keeps the case list in step with the files and their (possibly user-edited) roles, using the name heuristics (src/analysis/fileRoles.ts).
import { looksConformed } from '../../core/conform/index.ts';
import { guessModality, subjectKey, type CaseSpec, type DataSplit } from '../../../workers/api.ts';
import type { CaseEntry, LoadedFileEntry } from './dataStore.ts';

function newCase(spec: CaseSpec): CaseEntry {
  return { spec, status: 'pending', info: null, error: null, definedAs: null };
}

/**
 * Rebuilds the cases after files were added or roles edited: every image file is one case; a case keeps its id,
 * modality, split and any mask/segmentation that still has that role; new images take the brain mask and
 * segmentation with the same subject key; newly added masks/segmentations attach to cases of their subject that
 * lack one. When new lesion cases arrive and there is no validation case yet, the first becomes validation
 * (thresholds must come from validation, never from test).
 */
export function reconcileCases(files: readonly LoadedFileEntry[], previous: readonly CaseEntry[], newFileIds: ReadonlySet<string>): CaseEntry[] {
  const byId = new Map(files.map((f) => [f.fileId, f]));
  const hasRole = (fileId: string | undefined, role: LoadedFileEntry['role']): boolean => fileId !== undefined && byId.get(fileId)?.role === role;
  const sameSubject = (role: LoadedFileEntry['role'], key: string, onlyNew: boolean): string | undefined =>
    files.find((f) => f.role === role && subjectKey(f.fileName) === key && (!onlyNew || newFileIds.has(f.fileId)))?.fileId;

  const cases: CaseEntry[] = [];
  const usedIds = new Set<string>();
  const created: CaseEntry[] = [];
  for (const image of files.filter((f) => f.role === 'image')) {
    const key = subjectKey(image.fileName);
    const existing = previous.find((c) => c.spec.imageFileId === image.fileId);
    if (existing) {
      const spec: CaseSpec = { ...existing.spec };
      if (!hasRole(spec.brainMaskFileId, 'brain-mask')) delete spec.brainMaskFileId;
      if (!hasRole(spec.segFileId, 'segmentation')) delete spec.segFileId;
      spec.brainMaskFileId ??= sameSubject('brain-mask', key, true);
      spec.segFileId ??= sameSubject('segmentation', key, true);
      if (spec.brainMaskFileId === undefined) delete spec.brainMaskFileId;
      if (spec.segFileId === undefined) delete spec.segFileId;
      usedIds.add(spec.caseId);
      cases.push({ ...existing, spec });
      continue;
    }
    const modality = guessModality(image.fileName) ?? 'T2';
    let caseId = files.some((f) => f !== image && f.role === 'image' && subjectKey(f.fileName) === key) ? `${key}_${modality.toLowerCase()}` : key;
    for (let n = 2; usedIds.has(caseId) || previous.some((c) => c.spec.caseId === caseId && c.spec.imageFileId !== image.fileId); n++) {
      caseId = `${key}_${n}`;
    }
    usedIds.add(caseId);
    const brainMaskFileId = sameSubject('brain-mask', key, false);
    const segFileId = sameSubject('segmentation', key, false);
    const split: DataSplit = segFileId ? 'test' : 'healthy-train';
    const spec: CaseSpec = { caseId, imageFileId: image.fileId, modality, split };
    if (brainMaskFileId) spec.brainMaskFileId = brainMaskFileId;
    if (segFileId) spec.segFileId = segFileId;
    // As the CLI does: a volume fqlab already conformed (the demo's files, dropped by hand) is not conformed again.
    if (looksConformed(image.info)) spec.conformed = true;
    const entry = newCase(spec);
    created.push(entry);
    cases.push(entry);
  }
  const hasValidation = cases.some((c) => c.spec.split === 'validation');
  const newLesionCases = created.filter((c) => c.spec.segFileId !== undefined);
  const lesionCases = cases.filter((c) => c.spec.segFileId !== undefined);
  if (!hasValidation && newLesionCases.length > 0 && lesionCases.length >= 2) newLesionCases[0].spec.split = 'validation';
  return cases;
}

/** The spec as the worker was (or will be) told it, to tell whether a case must be conformed again. */
export function specSignature(spec: CaseSpec): string {
  return JSON.stringify([spec.caseId, spec.imageFileId, spec.brainMaskFileId ?? null, spec.segFileId ?? null, spec.modality, spec.split, spec.registered ?? false, spec.smoothing ?? true]);
}
