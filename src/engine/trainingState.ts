// What a training run has done so far (step, losses, best validation, random streams): the resumable part of a checkpoint.
import type { RngState } from './rng.ts';
import type { SamplerState } from './trainingData.ts';

export interface HistoryEntry {
  step: number;
  /** Training loss of this step's batch. */
  loss: number;
  /** Validation loss when it was computed after this step, else null. */
  valLoss: number | null;
}

export interface TrainingState {
  /** Completed optimiser steps. */
  step: number;
  bestValLoss: number | null;
  bestStep: number | null;
  history: HistoryEntry[];
  rng: RngState;
  sampler: SamplerState;
  /** Adam's bias-correction step (equals `step`). */
  adamStep: number;
}

/** What the trainer reports after each step. */
export interface TrainingProgress {
  step: number;
  loss: number;
  /** Validation loss of this step, or the latest one (null before the first). */
  valLoss: number | null;
  bestValLoss: number | null;
  /** Throughput over recent steps (training slices per second, validation time included). */
  slicesPerSecond: number;
  /** Time left for the current run() at the recent pace (0 outside run()). */
  etaSeconds: number;
  /** The training stage of a method that has several (f-AnoGAN: WGAN-GP, then its encoder). */
  stage?: string;
}
