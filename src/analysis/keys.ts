// What each analysis result depends on, as typed keys: reconstructions on (model, noise level, seed), score maps also on the score kind, alpha and structural term.
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import type { StructuralTerm } from '../core/quality/index.ts';

/** The anomaly score: the FQ map (SPEC 4), or one of its two parts alone. */
export const SCORE_KINDS = ['fq', 'l1', 'ssim'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];

/** Whether alpha changes a score kind's map: only the FQ map blends with it; l1 and SSIM loss do not. */
export function alphaMatters(score: ScoreKind): boolean {
  return score === 'fq';
}

/** Which reconstructions: one model's weights at a noise level and seed (SPEC 3); equal keys give equal results. */
export interface ReconstructionSetKey {
  /** Changes whenever the weights do; the same checkpoint always has the same id. */
  modelId: string;
  noiseLevel: number;
  seed: number;
}

/** One case's reconstruction. */
export interface ReconstructionKey extends ReconstructionSetKey {
  caseId: string;
}

/** Which map to score with; alpha and the structural term only matter for 'fq'. */
export interface ScoreMapSettings {
  score: ScoreKind;
  alpha: number;
  /** The FQ map's structural term (default PAPER_PROTOCOL.structural.defaultTerm, SSIM); 'ssim' scores are always SSIM loss. */
  structural?: StructuralTerm;
}

/** The structural loss map a score blends (FQ) or is ('ssim': always the SSIM loss); null for 'l1'. */
export function structuralTermOf(settings: ScoreMapSettings): StructuralTerm | null {
  if (settings.score === 'l1') return null;
  return settings.score === 'fq' ? (settings.structural ?? PAPER_PROTOCOL.structural.defaultTerm) : 'ssim';
}

/** Everything a post-processed score map depends on: the reconstructions and the map setting. */
export interface MapKey extends ReconstructionSetKey, ScoreMapSettings {}

/** A stable string for one case's reconstruction. */
export function reconstructionKeyString(key: ReconstructionKey): string {
  return JSON.stringify([key.modelId, key.caseId, key.noiseLevel, key.seed]);
}

/** A stable string for one case's score map (alpha and the structural term dropped where they do not matter). */
export function caseMapKeyString(key: MapKey, caseId: string): string {
  const fields = [key.modelId, caseId, key.noiseLevel, key.seed, key.score, alphaMatters(key.score) ? key.alpha : null];
  const structural = structuralTermOf(key);
  return JSON.stringify(structural === null || structural === 'ssim' ? fields : [...fields, structural]);
}
