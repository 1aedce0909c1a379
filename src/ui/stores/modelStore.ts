// Zustand store of the training settings, the live training state and history, and the model the worker holds.
import { create } from 'zustand';
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { MethodSummary, ModelInfo, TrainConfig, TrainProgress } from '../../../workers/api.ts';

export type TrainingStatus = 'idle' | 'training' | 'paused' | 'cancelling';

/** Loss and validation metrics over training steps, as the charts plot them (null where not measured at that step). */
export interface TrainingHistory {
  step: number[];
  loss: number[];
  valLoss: (number | null)[];
  evalStep: number[];
  dice: (number | null)[];
  auprc: (number | null)[];
}

/** A browser-friendly start: the tiny preset and FQ loss with the paper's alpha, AIR by the reference's per-modality rule. */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  preset: 'tiny',
  loss: 'fq',
  alpha: PAPER_PROTOCOL.fqAlpha,
  air: 'modality',
  noise: 'simplex',
  patched: true,
  steps: 200,
  batchSize: 8,
  seed: 1,
  evaluateEvery: 50,
};

/** Training is run (and autosaved to this browser) in stretches of this many steps unless the user changes it. */
export const DEFAULT_AUTOSAVE_EVERY = 50;

/**
 * The step a training stretch starting at `step` ends at (and is autosaved): the next multiple of `autosaveEvery`,
 * rounded up to a multiple of `evaluateEvery` when that is on (a stretch's end is always evaluated), at most `target`.
 */
export function nextAutosaveStep(step: number, target: number, autosaveEvery: number, evaluateEvery: number): number {
  let every = Math.max(1, Math.floor(autosaveEvery));
  if (evaluateEvery > 0) every = Math.ceil(every / evaluateEvery) * evaluateEvery;
  return Math.min(target, (Math.floor(step / every) + 1) * every);
}

/** The last checkpoint autosaved during training, and a run a reload interrupted (offered for resuming). */
export interface AutosaveState {
  step: number;
  targetSteps: number;
  savedAt: string;
}

const EMPTY_HISTORY: TrainingHistory = { step: [], loss: [], valLoss: [], evalStep: [], dice: [], auprc: [] };

interface ModelState {
  config: TrainConfig;
  status: TrainingStatus;
  progress: TrainProgress | null;
  history: TrainingHistory;
  model: ModelInfo | null;
  /** Steps between autosaved checkpoints (rounded up to a multiple of evaluateEvery when that is on). */
  autosaveEvery: number;
  autosave: AutosaveState | null;
  /** Set after a reload when the stored model's run stopped before its last step. */
  interrupted: AutosaveState | null;
  /** The worker's method registry (presets, parameter counts, cost), null until it answered. */
  methods: MethodSummary[] | null;
  setConfig: (patch: Partial<TrainConfig>) => void;
  setStatus: (status: TrainingStatus) => void;
  startRun: () => void;
  recordProgress: (progress: TrainProgress) => void;
  setModel: (model: ModelInfo | null) => void;
  set: (patch: Partial<Pick<ModelState, 'autosaveEvery' | 'autosave' | 'interrupted' | 'methods'>>) => void;
}

export const useModelStore = create<ModelState>()((set) => ({
  config: DEFAULT_TRAIN_CONFIG,
  status: 'idle',
  progress: null,
  history: EMPTY_HISTORY,
  model: null,
  autosaveEvery: DEFAULT_AUTOSAVE_EVERY,
  autosave: null,
  interrupted: null,
  methods: null,
  setConfig: (patch) => set((state) => ({ config: { ...state.config, ...patch } })),
  setStatus: (status) => set({ status }),
  startRun: () => set({ status: 'training', progress: null, history: EMPTY_HISTORY }),
  recordProgress: (progress) =>
    set((state) => {
      const h = state.history;
      const evaluated = typeof progress.validationDice === 'number' || typeof progress.validationAuprc === 'number';
      return {
        progress,
        history: {
          step: [...h.step, progress.step],
          loss: [...h.loss, progress.loss],
          valLoss: [...h.valLoss, progress.valLoss],
          evalStep: evaluated ? [...h.evalStep, progress.step] : h.evalStep,
          dice: evaluated ? [...h.dice, progress.validationDice ?? null] : h.dice,
          auprc: evaluated ? [...h.auprc, progress.validationAuprc ?? null] : h.auprc,
        },
      };
    }),
  setModel: (model) => set({ model }),
  set: (patch) => set(patch),
}));
