// Zustand store of the analysis settings (alpha, noise level, threshold source) and the latest evaluation.
import { create } from 'zustand';
import type { EvaluationResult, ScoreKind, ThresholdSource } from '../../../workers/api.ts';

/** Paper defaults: alpha 0.84 (FQ fusion weight), noise level 750 (pDDPM-IQA test noise). */
export const DEFAULT_ALPHA = 0.84;
export const DEFAULT_NOISE_LEVEL = 750;

export type ReconstructionStatus = 'none' | 'running' | 'done' | 'error';

export interface AnalysisState {
  alpha: number;
  noiseLevel: number;
  seed: number;
  score: ScoreKind;
  thresholdSource: ThresholdSource;
  fprTarget: number;
  manualThreshold: number;
  /** Case whose precision-recall curve is shown ('' = the worker's choice). */
  prCaseId: string;
  reconstruction: { status: ReconstructionStatus; done: number; total: number; noiseLevel: number | null; message: string };
  scoring: boolean;
  evaluation: EvaluationResult | null;
  /** True when cases or the model changed after the last reconstruction. */
  stale: boolean;
  set: (patch: Partial<Omit<AnalysisState, 'set' | 'markStale'>>) => void;
  markStale: () => void;
}

export const useAnalysisStore = create<AnalysisState>()((set) => ({
  alpha: DEFAULT_ALPHA,
  noiseLevel: DEFAULT_NOISE_LEVEL,
  seed: 1,
  score: 'fq',
  thresholdSource: 'validation-search',
  fprTarget: 0.05,
  manualThreshold: 0.1,
  prCaseId: '',
  reconstruction: { status: 'none', done: 0, total: 0, noiseLevel: null, message: '' },
  scoring: false,
  evaluation: null,
  stale: false,
  set: (patch) => set(patch),
  markStale: () => set((state) => (state.reconstruction.status === 'done' ? { stale: true } : {})),
}));
