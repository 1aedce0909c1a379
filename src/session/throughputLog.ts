// The TFLOP/s the last reconstruction and the last training step reached in this session (the Diagnostics panel shows them).
import type { ReconstructionModel } from '../analysis/pipeline.ts';
import type { TrainingConfig } from '../engine/index.ts';
import { forwardTeraflopsPerSecond, TRAINING_STEP_FORWARD_EQUIVALENTS, trainingTeraflopsPerSecond } from '../engine/throughput.ts';
import { patchBoxes } from '../engine/patching.ts';
import { unetForwardFlops } from '../engine/unetPlan.ts';

/** One rate: U-Net slice forwards (or training slices) per second and the TFLOP/s that makes. */
export interface ThroughputReading {
  slicesPerSecond: number;
  teraflopsPerSecond: number;
}

export interface Throughput {
  /** The last reconstruction of a U-Net model: its slice forwards over the whole call's wall time (noise and copies included). */
  lastForward: ThroughputReading | null;
  /** The last training progress report of a U-Net model, a slice counted as `trainingStepForwardEquivalents` forwards' FLOPs. */
  lastTrainingStep: ThroughputReading | null;
  trainingStepForwardEquivalents: number;
}

/** FLOPs of one 96x96 slice forward of the config's U-Net, or null for methods without one (autoencoders, thresholds). */
export function sliceForwardFlops(config: Pick<TrainingConfig, 'unet'>): number | null {
  return config.unet !== null ? unetForwardFlops(config.unet) : null;
}

export class ThroughputLog {
  private lastForward: ThroughputReading | null = null;
  private lastTrainingStep: ThroughputReading | null = null;

  /** Records `slices` slice forwards of `flopsPerSlice` FLOPs each that took `seconds`. */
  recordForward(flopsPerSlice: number, slices: number, seconds: number): void {
    const teraflopsPerSecond = forwardTeraflopsPerSecond(flopsPerSlice, slices, seconds);
    if (teraflopsPerSecond !== null) this.lastForward = { slicesPerSecond: slices / seconds, teraflopsPerSecond };
  }

  /** Records a training rate in slices per second for a U-Net of `flopsPerSlice` FLOPs per forward. */
  recordTraining(flopsPerSlice: number, slicesPerSecond: number): void {
    const teraflopsPerSecond = trainingTeraflopsPerSecond(flopsPerSlice, slicesPerSecond, 1);
    if (teraflopsPerSecond !== null && slicesPerSecond > 0) this.lastTrainingStep = { slicesPerSecond, teraflopsPerSecond };
  }

  snapshot(): Throughput {
    return { lastForward: this.lastForward, lastTrainingStep: this.lastTrainingStep, trainingStepForwardEquivalents: TRAINING_STEP_FORWARD_EQUIVALENTS };
  }

  /** The model as the pipeline sees it, recording each reconstruction's rate (a model without a U-Net passes through). */
  measured<M extends ReconstructionModel & { readonly config: TrainingConfig }>(model: M): ReconstructionModel {
    const flops = sliceForwardFlops(model.config);
    if (flops === null) return model;
    // The diffusion reconstruction runs the U-Net once per box of each slice (pDDPM: 2 x 2 boxes; whole-slice modes: 1).
    const forwardsPerSlice = patchBoxes(model.config.patching).length;
    return {
      id: model.id,
      airApplied: model.airApplied,
      reconstruct: async (input, noiseLevel, seed, onProgress) => {
        const started = performance.now();
        const result = await model.reconstruct(input, noiseLevel, seed, onProgress);
        this.recordForward(flops, forwardsPerSlice * input.dims[2], (performance.now() - started) / 1000);
        return result;
      },
    };
  }
}
