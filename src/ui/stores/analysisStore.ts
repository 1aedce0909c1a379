// Zustand store of the analysis settings (alpha and its source, structural term, noise level, threshold source) and the latest evaluation.
import { create } from 'zustand';
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { AlphaSource, EvaluationResult, ScoreKind, SeedSummary, StructuralTerm, ThresholdSource, ViewedCaseScore } from '../../../workers/api.ts';

export type ReconstructionStatus = 'none' | 'running' | 'done' | 'error';

/** The last reconstruction run: its progress, and the model and noise level it reconstructed with. */
export interface ReconstructionState {
  status: ReconstructionStatus;
  done: number;
  total: number;
  modelId: string | null;
  noiseLevel: number | null;
  message: string;
}

/** Nothing reconstructed (yet, or any more). */
export const NO_RECONSTRUCTION: ReconstructionState = { status: 'none', done: 0, total: 0, modelId: null, noiseLevel: null, message: '' };

export interface AnalysisState {
  /** The slider's alpha: the one scored when alphaSource is 'fixed' (else the evaluation's alphaChoice says which). */
  alpha: number;
  alphaSource: AlphaSource;
  /** The FQ map's structural term. */
  structural: StructuralTerm;
  noiseLevel: number;
  seed: number;
  score: ScoreKind;
  thresholdSource: ThresholdSource;
  fprTarget: number;
  manualThreshold: number;
  /** Case whose precision-recall curve is shown ('' = the worker's choice). */
  prCaseId: string;
  reconstruction: ReconstructionState;
  /** True while a score request's whole study is still being computed. */
  scoring: boolean;
  /**
   * The newest viewed case scored, with its score map: it arrives before its study's evaluation (during a drag also
   * from requests superseded after it started); null once the newest study is in.
   */
  viewedCase: ViewedCaseScore | null;
  evaluation: EvaluationResult | null;
  /** Seeds 0 .. seedCount-1 for "mean ± std over seeds" (`fqlab evaluate --seeds` defaults to 3 too). */
  seedCount: number;
  /** The last summary over seeds, for the settings of `evaluation` (cleared when they change). */
  seedSummary: SeedSummary | null;
  /** Reconstruction progress of a summary over seeds, null when none runs. */
  seedProgress: { done: number; total: number } | null;
  /** True when cases or the model changed after the last reconstruction. */
  stale: boolean;
  set: (patch: Partial<Omit<AnalysisState, 'set' | 'markStale'>>) => void;
  markStale: () => void;
}

export const useAnalysisStore = create<AnalysisState>()((set) => ({
  alpha: PAPER_PROTOCOL.fqAlpha,
  alphaSource: 'fixed',
  structural: PAPER_PROTOCOL.structural.defaultTerm,
  noiseLevel: PAPER_PROTOCOL.noiseLevel.pddpmIqa,
  seed: 1,
  score: 'fq',
  thresholdSource: 'validation-search',
  fprTarget: PAPER_PROTOCOL.threshold.defaultFprTarget,
  manualThreshold: 0.1,
  prCaseId: '',
  reconstruction: NO_RECONSTRUCTION,
  scoring: false,
  viewedCase: null,
  evaluation: null,
  seedCount: 3,
  seedSummary: null,
  seedProgress: null,
  stale: false,
  set: (patch) => set(patch),
  markStale: () => set((state) => (state.reconstruction.status === 'done' ? { stale: true } : {})),
}));
