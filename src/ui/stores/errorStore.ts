// Zustand store of the user-facing error messages shown in the error banner (each says which file and what to do).
import { create } from 'zustand';

export interface UserMessage {
  id: number;
  /** The file the problem is about, or '' when it concerns the whole workbench. */
  fileName: string;
  message: string;
}

interface ErrorState {
  errors: UserMessage[];
  report: (fileName: string, message: string) => void;
  dismiss: (id: number) => void;
  clear: () => void;
}

let nextId = 1;

export const useErrorStore = create<ErrorState>()((set) => ({
  errors: [],
  report: (fileName, message) =>
    set((state) => ({
      // Keep the banner short: the same message twice is shown once, and only the 6 newest stay.
      errors: [...state.errors.filter((e) => !(e.fileName === fileName && e.message === message)), { id: nextId++, fileName, message }].slice(-6),
    })),
  dismiss: (id) => set((state) => ({ errors: state.errors.filter((e) => e.id !== id) })),
  clear: () => set({ errors: [] }),
}));
