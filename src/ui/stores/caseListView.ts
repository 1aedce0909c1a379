// What the case list shows of many cases: how many are in each split, and which match the search box.
import { DATA_SPLITS, type DataSplit } from '../../../workers/api.ts';
import type { CaseEntry, LoadedFileEntry } from './dataStore.ts';

/** The file list starts folded above this many files, so the Model and Analysis panels stay in view. */
export const FILE_LIST_OPEN_MAX = 12;

/** Cases per split, every split named (0 where none). */
export function splitCounts(cases: readonly CaseEntry[]): Record<DataSplit, number> {
  const counts = Object.fromEntries(DATA_SPLITS.map((split) => [split, 0])) as Record<DataSplit, number>;
  for (const c of cases) counts[c.spec.split] += 1;
  return counts;
}

/**
 * Whether a case matches the search text: every word (case-insensitive) appears in its id, its split, its modality or
 * the name of one of its files; empty text matches every case.
 */
export function caseMatches(entry: CaseEntry, query: string, files: readonly LoadedFileEntry[]): boolean {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return true;
  const { spec } = entry;
  const fileIds = new Set([spec.imageFileId, spec.brainMaskFileId, spec.segFileId]);
  const text = [spec.caseId, spec.split, spec.modality, ...files.filter((f) => fileIds.has(f.fileId)).map((f) => f.fileName)].join(' ').toLowerCase();
  return words.every((w) => text.includes(w));
}
