// The conformed cases of a session (image, brain mask, segmentation on the 96x96x50 grid) with their split and modality.
import type { ConformMapping, ConformStats } from '../core/conform/index.ts';
import { FqlabError } from '../core/errors.ts';
import { labelsFromSegmentation } from '../core/metrics/index.ts';
import { erodeMask2D } from '../core/postprocess/index.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import type { Modality } from '../core/modality.ts';
import type { Volume } from '../core/volume.ts';

/** Where a case serves: training the model on healthy slices, choosing the threshold, or the reported test metrics. */
export const DATA_SPLITS = ['healthy-train', 'validation', 'test'] as const;
export type DataSplit = (typeof DATA_SPLITS)[number];

/** One conformed case plus what scoring needs again and again (computed once here). */
export interface ConformedCase {
  readonly caseId: string;
  readonly split: DataSplit;
  readonly modality: Modality;
  /** The image file's name, for messages and exported file names. */
  readonly imageFileName: string;
  /** Conformed [0, 1] image. */
  readonly image: Volume;
  /** Conformed 0/1 brain mask. */
  readonly brainMask: Volume;
  /** Conformed labels, or null without a segmentation. */
  readonly seg: Volume | null;
  /** 0/1 anomaly labels from seg (null without one). */
  readonly labels: Uint8Array | null;
  /** Number of anomalous voxels (0 without a segmentation). */
  readonly anomalousVoxels: number;
  /** The brain mask eroded as SPEC 5.1 asks, so every rescoring skips the erosion. */
  readonly erodedBrainMask: Uint8Array;
  readonly mapping: ConformMapping;
  readonly stats: ConformStats;
}

/** What conformVolumes returned for a case, plus the bookkeeping the store adds. */
export interface ConformedCaseInput {
  caseId: string;
  split: DataSplit;
  modality: Modality;
  imageFileName: string;
  image: Volume;
  brainMask: Volume;
  seg: Volume | null;
  mapping: ConformMapping;
  stats: ConformStats;
}

/** Builds a ConformedCase: labels and the eroded brain mask are derived once. */
export function makeConformedCase(input: ConformedCaseInput): ConformedCase {
  const labels = input.seg ? labelsFromSegmentation(input.seg.data) : null;
  let anomalousVoxels = 0;
  if (labels) for (let i = 0; i < labels.length; i++) anomalousVoxels += labels[i];
  return {
    ...input,
    labels,
    anomalousVoxels,
    erodedBrainMask: erodeMask2D(input.brainMask.data, input.brainMask.dims, PAPER_PROTOCOL.postprocess.brainMaskErosions),
  };
}

/** The cases of a session, in insertion order. */
export class CaseStore {
  private readonly cases = new Map<string, ConformedCase>();

  /** Adds or replaces a case. */
  put(conformed: ConformedCase): void {
    this.cases.set(conformed.caseId, conformed);
  }

  has(caseId: string): boolean {
    return this.cases.has(caseId);
  }

  /** The case, or an FqlabError naming the unknown id. */
  get(caseId: string): ConformedCase {
    const found = this.cases.get(caseId);
    if (!found) {
      throw new FqlabError('bad-argument', caseId, 'no such case; define it first (image plus optional brain mask and segmentation).');
    }
    return found;
  }

  delete(caseId: string): boolean {
    return this.cases.delete(caseId);
  }

  all(): ConformedCase[] {
    return [...this.cases.values()];
  }

  bySplit(split: DataSplit): ConformedCase[] {
    return this.all().filter((c) => c.split === split);
  }
}
