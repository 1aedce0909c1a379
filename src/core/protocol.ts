// The paper's evaluation protocol (pDDPM-IQA, SPEC 1-5) in one typed place: every default the science core, the UI, the CLI and validation share.
import type { StructuralTerm } from './quality/structural.ts';
import type { Dims3 } from './volume.ts';

/** An inclusive range of allowed values. */
export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

/** Every knob of the evaluation protocol; core defaults, UI stores, UI and CLI validation and CLI flags read from it. */
export interface EvaluationProtocol {
  /** The conformed grid (x, y, axial) that the model, the maps and the metrics live on (SPEC 1). */
  readonly grid: Dims3;
  /** Weight of the SSIM loss in the FQ map alpha * SSIM loss + (1 - alpha) * l1 (SPEC 4); 0 is the plain l1 baseline. */
  readonly fqAlpha: number;
  /** Where alpha may go: 0 (l1 only) to 1 (SSIM loss only). */
  readonly alphaRange: ValueRange;
  /**
   * Test noise levels t + 1 (SPEC 3): pDDPM's 500 and pDDPM-IQA's 750; any whole number from 1 to T = 1000
   * (the diffusion steps) is allowed.
   */
  readonly noiseLevel: { readonly pddpm: number; readonly pddpmIqa: number } & ValueRange;
  /** The per-slice SSIM map (SPEC 4): Gaussian window side and sigma, stabilisers (0.01 L)^2 and (0.03 L)^2 with L = 1. */
  readonly ssim: { readonly windowSize: number; readonly sigma: number; readonly c1: number; readonly c2: number };
  /** Post-processing (SPEC 5.1, 5.2, 5.5). */
  readonly postprocess: {
    /** 2D cross-shaped erosions of the brain mask per slice before scoring. */
    readonly brainMaskErosions: number;
    /** Side of the cubic median window. */
    readonly medianSize: number;
    /** 26-connected components of at most this many voxels are removed before Dice. */
    readonly maxRemovedComponentVoxels: number;
  };
  /** Thresholds (SPEC 5.4). */
  readonly threshold: {
    /** Rounds of the reference's bisecting threshold search on pooled validation voxels. */
    readonly searchSteps: number;
    /** Healthy-voxel false-positive rates the workbench offers, and the default one. */
    readonly fprTargets: readonly number[];
    readonly defaultFprTarget: number;
  };
  /** Points kept on a precision-recall curve sent to the UI. */
  readonly prCurvePoints: number;
  /**
   * The structural term of the FQ map (beyond the paper, which uses SSIM only): which one by default, MS-SSIM's
   * per-scale exponents (Wang et al. 2003, coarsest scale last) and GMSD's stabiliser c for intensities in [0, 1]
   * (Xue et al. 2014: 170 on [0, 255], i.e. 0.0026 L^2 with L = 1).
   */
  readonly structural: { readonly defaultTerm: StructuralTerm; readonly msSsimWeights: readonly number[]; readonly gmsdC: number };
  /** The alphas an alpha chosen on the lesion validation cases is picked from (beyond the paper's fixed 0.84). */
  readonly alphaGrid: readonly number[];
}

/** The paper's protocol (SPEC 1-5): the defaults everywhere in fqlab. */
export const PAPER_PROTOCOL: EvaluationProtocol = {
  grid: [96, 96, 50],
  fqAlpha: 0.84,
  alphaRange: { min: 0, max: 1 },
  noiseLevel: { pddpm: 500, pddpmIqa: 750, min: 1, max: 1000 },
  ssim: { windowSize: 5, sigma: 1.5, c1: 1e-4, c2: 9e-4 },
  postprocess: { brainMaskErosions: 3, medianSize: 5, maxRemovedComponentVoxels: 7 },
  threshold: { searchSteps: 10, fprTargets: [0.01, 0.05, 0.1], defaultFprTarget: 0.05 },
  prCurvePoints: 300,
  structural: { defaultTerm: 'ssim', msSsimWeights: [0.0448, 0.2856, 0.3001, 0.2363, 0.1333], gmsdC: 0.0026 },
  alphaGrid: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.84, 0.9, 1],
};

/**
 * Why a value is not a valid test noise level (a whole number in [1, 1000]), or null when it is. The UI, the sweep
 * form, the worker and the CLI all check with this, so they accept the same values.
 * @example noiseLevelProblem(0); // 'must be a whole number from 1 to 1000 (the paper uses 500 for pDDPM, 750 for pDDPM-IQA)'
 */
export function noiseLevelProblem(value: number): string | null {
  const { min, max, pddpm, pddpmIqa } = PAPER_PROTOCOL.noiseLevel;
  if (Number.isInteger(value) && value >= min && value <= max) return null;
  return `must be a whole number from ${min} to ${max} (the paper uses ${pddpm} for pDDPM, ${pddpmIqa} for pDDPM-IQA)`;
}

/**
 * Why a value is not a valid FQ alpha (a number in [0, 1]), or null when it is.
 * @example alphaProblem(1.5); // 'must be a number from 0 to 1 (the paper uses 0.84)'
 */
export function alphaProblem(value: number): string | null {
  const { min, max } = PAPER_PROTOCOL.alphaRange;
  if (value >= min && value <= max) return null;
  return `must be a number from ${min} to ${max} (the paper uses ${PAPER_PROTOCOL.fqAlpha})`;
}
