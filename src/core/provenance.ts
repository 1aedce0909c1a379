// Short labels of how a volume was prepared and scored (read-time smoothing, AIR), for exported file headers and tables.
import type { AirMode } from './air.ts';
import type { CurvatureFlowOptions } from './conform/curvatureFlow.ts';

/** "curvature flow 0.125 x 3" or "no smoothing" (ASCII, so it fits a NIfTI description). */
export function smoothingLabel(smoothing: Readonly<CurvatureFlowOptions> | null): string {
  return smoothing ? `curvature flow ${smoothing.timeStep} x ${smoothing.iterations}` : 'no smoothing';
}

/** "AIR on (modality)": the decision and how it was made. */
export function airLabel(enabled: boolean, mode: AirMode): string {
  return `AIR ${enabled ? 'on' : 'off'} (${mode})`;
}

/** A NIfTI description: "fqlab <what>; <label>; <label>" (the writer keeps the first 79 characters). */
export function exportDescription(what: string, labels: readonly string[]): string {
  return ['fqlab ' + what, ...labels].join('; ');
}
