// Zustand store of the alpha x noise-level sweep: the grid asked for, its progress and its result.
import { create } from 'zustand';
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { SweepResult } from '../../../workers/api.ts';

export type SweepMetric = 'dice' | 'auprc';

interface SweepState {
  alphasText: string;
  noiseLevelsText: string;
  running: boolean;
  done: number;
  total: number;
  result: SweepResult | null;
  metric: SweepMetric;
  set: (patch: Partial<Omit<SweepState, 'set'>>) => void;
}

export const useSweepStore = create<SweepState>()((set) => ({
  alphasText: `0, 0.5, ${PAPER_PROTOCOL.fqAlpha}, 1`,
  noiseLevelsText: `250, ${PAPER_PROTOCOL.noiseLevel.pddpm}, ${PAPER_PROTOCOL.noiseLevel.pddpmIqa}`,
  running: false,
  done: 0,
  total: 0,
  result: null,
  metric: 'dice',
  set: (patch) => set(patch),
}));

/**
 * Parses a comma/space separated list of numbers, each checked by `problemOf` (a protocol check such as
 * noiseLevelProblem); returns an error message instead when it cannot.
 */
export function parseNumberList(text: string, what: string, problemOf: (value: number) => string | null): number[] | string {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  if (parts.length === 0) return `give at least one ${what}`;
  const values: number[] = [];
  for (const part of parts) {
    const value = Number(part);
    const problem = Number.isFinite(value) ? problemOf(value) : 'must be a number';
    if (problem !== null) return `${what} "${part}" ${problem}`;
    if (!values.includes(value)) values.push(value);
  }
  return values.sort((a, b) => a - b);
}
