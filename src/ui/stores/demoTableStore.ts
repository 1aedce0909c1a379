// Zustand store of the demo's table: its rows (comparison entries of Thresh and the shipped models), their progress and what it covers.
import { create } from 'zustand';
import type { ComparisonEntry } from './comparisonStore.ts';

/** idle: not started · running: reconstructing or scoring · done: every seed of every row in · stopped: the demo was stopped (resume it to finish) · failed: see message. */
export type DemoTableStatus = 'idle' | 'running' | 'done' | 'stopped' | 'failed';

export interface DemoTableState {
  status: DemoTableStatus;
  /** The rows, as the comparison view keeps its models (scored at the paper's setting of each). */
  entries: ComparisonEntry[];
  /** Rows that could not be made, in words (e.g. a checkpoint that did not load). */
  rowFailures: string[];
  /** Which cases and seeds the results are for (a finished table with the same key is not computed again). */
  key: string;
  caseIds: string[];
  testCases: number;
  validationLesionCases: number;
  seedCount: number;
  /** Rows scored at every seed so far. */
  rowsDone: number;
  /** Case reconstructions over the whole table (cached ones count at once). */
  progress: { done: number; total: number };
  /** What it is doing now, or why it stopped. */
  message: string;
  set: (patch: Partial<Omit<DemoTableState, 'set' | 'updateEntry'>>) => void;
  updateEntry: (modelId: string, patch: Partial<Pick<ComparisonEntry, 'result' | 'failure'>>) => void;
}

export const useDemoTableStore = create<DemoTableState>()((set) => ({
  status: 'idle',
  entries: [],
  rowFailures: [],
  key: '',
  caseIds: [],
  testCases: 0,
  validationLesionCases: 0,
  seedCount: 0,
  rowsDone: 0,
  progress: { done: 0, total: 0 },
  message: '',
  set: (patch) => set(patch),
  updateEntry: (modelId, patch) => set((state) => ({ entries: state.entries.map((e) => (e.modelId === modelId ? { ...e, ...patch } : e)) })),
}));
