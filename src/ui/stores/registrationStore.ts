// Zustand store of template registrations: the one running (per case, with its stage) and what each finished one found.
import { create } from 'zustand';
import type { RegistrationProgress } from '../../core/registration/index.ts';

/** What a finished registration found, shown on its case card. */
export interface RegistrationOutcome {
  template: 'head' | 'brain';
  templateReason: string;
  seconds: number;
  maskFileName: string;
}

interface RegistrationState {
  running: Record<string, RegistrationProgress>;
  outcomes: Record<string, RegistrationOutcome>;
  setRunning: (caseId: string, progress: RegistrationProgress | null) => void;
  setOutcome: (caseId: string, outcome: RegistrationOutcome) => void;
}

export const useRegistrationStore = create<RegistrationState>()((set) => ({
  running: {},
  outcomes: {},
  setRunning: (caseId, progress) =>
    set((state) => {
      const running = { ...state.running };
      if (progress) running[caseId] = progress;
      else delete running[caseId];
      return { running };
    }),
  setOutcome: (caseId, outcome) => set((state) => ({ outcomes: { ...state.outcomes, [caseId]: outcome } })),
}));
