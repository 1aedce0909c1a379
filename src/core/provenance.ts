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

/** The model facts an export names (ModelInfo has them all). */
export interface ProvenanceModel {
  /** The checkpoint's content hash, e.g. "model-1f0c9a33d2b4e870-311204". */
  modelId: string;
  method: string;
  preset: string;
  step: number;
  airApplied: boolean;
  airMode: AirMode;
}

/** The scoring settings of a run (a score result's key, alpha choice and threshold). */
export interface ScoredSettings {
  score: string;
  alpha: number;
  /** Where alpha came from: 'fixed', or chosen on the lesion validation cases ('val-dice', 'val-auprc'). */
  alphaSource: string;
  /** The FQ map's structural term: 'ssim' (the paper's), 'ms-ssim' or 'gmsd'. */
  structural: string;
  noiseLevel: number;
  seed: number;
  threshold: number | null;
  thresholdSource: string;
}

/** What a scored map or metrics file came from, written into every export so it can be reproduced. */
export interface RunProvenance extends ScoredSettings {
  appVersion: string;
  method: string;
  preset: string;
  trainingStep: number;
  /** The model id: a content hash of the checkpoint. */
  checkpoint: string;
  air: string;
}

export function runProvenance(model: ProvenanceModel, scored: ScoredSettings, appVersion: string): RunProvenance {
  return {
    appVersion,
    method: model.method,
    preset: model.preset,
    trainingStep: model.step,
    checkpoint: model.modelId,
    air: airLabel(model.airApplied, model.airMode),
    ...scored,
  };
}

/** The first hex digits of a model id's hash: enough to tell checkpoints apart in an 80-character header. */
function shortHash(modelId: string): string {
  return modelId.replace(/^model-/, '').slice(0, 8);
}

/** Short names of the threshold sources and of the longer layer names, for the NIfTI description. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  'validation-search': 'val',
  'exact-best-dice': 'exact',
  'fpr-target': 'fpr',
  prediction: 'pred',
  reconstruction: 'recon',
  'ssim-loss': 'ssim',
  'val-dice': 'vd',
  'val-auprc': 'va',
};

/** The room in a NIfTI header's description field (the writer cuts there). */
const DESCRIPTION_LENGTH = 79;

/**
 * A derived map's NIfTI description, "fqlab 0.1.0 pred fq pddpm tiny@600 #1f0c9a33 AIR on a0.84 n250 s1 t0.01235 val":
 * parts that would pass 79 characters are left out from the end (the JSON sidecar always holds the full record). A
 * structural term other than SSIM follows the score ("fq:gmsd"), a chosen alpha its source ("a0.7/vd").
 */
export function compactProvenance(layer: string, run: RunProvenance): string {
  const short = (name: string) => SHORT_NAMES[name] ?? name;
  const threshold = run.threshold === null ? 't none' : `t${Number(run.threshold.toPrecision(4))} ${short(run.thresholdSource)}`;
  const parts = [
    `fqlab ${run.appVersion} ${short(layer)} ${run.score}${run.score === 'fq' && run.structural !== 'ssim' ? `:${run.structural}` : ''}`,
    `${run.method} ${run.preset}@${run.trainingStep}`,
    `#${shortHash(run.checkpoint)}`,
    run.air.replace(/ \(.*\)$/, ''),
    `a${run.alpha}${run.alphaSource === 'fixed' ? '' : `/${short(run.alphaSource)}`}`,
    `n${run.noiseLevel}`,
    `s${run.seed}`,
    threshold,
  ];
  let description = parts[0];
  for (const part of parts.slice(1)) {
    if (description.length + 1 + part.length > DESCRIPTION_LENGTH) break;
    description += ` ${part}`;
  }
  return description;
}
