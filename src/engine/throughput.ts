// Compute throughput of the U-Net in TFLOP/s from its FLOP count and a wall time (pure arithmetic: bench, measure script, Diagnostics panel).

/**
 * A training step counted as this many forwards' FLOPs: the forward, then the backward's input and weight
 * gradients, each about one forward (the usual 3x rule; the FQ loss and Adam are left out).
 */
export const TRAINING_STEP_FORWARD_EQUIVALENTS = 3;

/** TFLOP/s of `slices` slice forwards of `flopsPerSlice` each in `seconds`; null when the time is not positive. */
export function forwardTeraflopsPerSecond(flopsPerSlice: number, slices: number, seconds: number): number | null {
  if (!(seconds > 0)) return null;
  return (flopsPerSlice * slices) / seconds / 1e12;
}

/** TFLOP/s of a training step over `slices` slices, counted as TRAINING_STEP_FORWARD_EQUIVALENTS forwards per slice. */
export function trainingTeraflopsPerSecond(flopsPerSlice: number, slices: number, seconds: number): number | null {
  return forwardTeraflopsPerSecond(TRAINING_STEP_FORWARD_EQUIVALENTS * flopsPerSlice, slices, seconds);
}
