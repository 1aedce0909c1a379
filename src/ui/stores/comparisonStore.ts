// Zustand store of the comparison view: the models kept for it, each with the settings it is scored at, and their results.
import { create } from 'zustand';
import type { ModelInfo, ScoreKind, SeedSummary } from '../../../workers/api.ts';

/** One model of the comparison, scored at its own noise level, score and alpha (the paper's setting for its kind). */
export interface ComparisonEntry {
  modelId: string;
  /** Where it came from: the model that was current, or the checkpoint file's name. */
  origin: string;
  info: ModelInfo;
  noiseLevel: number;
  score: ScoreKind;
  alpha: number;
  /** Mean ± std over seeds at these settings; null until run (and after a settings change). */
  result: SeedSummary | null;
  /** Why the last run of this row failed, or null. */
  failure: string | null;
}

interface ComparisonState {
  entries: ComparisonEntry[];
  /** Seeds 0 .. seedCount-1 per model, as `fqlab evaluate --seeds` counts them. */
  seedCount: number;
  /** Slices reconstructed over the whole run, null when none runs. */
  progress: { done: number; total: number } | null;
  set: (patch: Partial<Pick<ComparisonState, 'entries' | 'seedCount' | 'progress'>>) => void;
  updateEntry: (modelId: string, patch: Partial<Omit<ComparisonEntry, 'modelId' | 'info' | 'origin'>>) => void;
}

export const useComparisonStore = create<ComparisonState>()((set) => ({
  entries: [],
  seedCount: 3,
  progress: null,
  set: (patch) => set(patch),
  updateEntry: (modelId, patch) => set((state) => ({ entries: state.entries.map((e) => (e.modelId === modelId ? { ...e, ...patch } : e)) })),
}));
