// The tfjs engine of fqlab (pDDPM / DDPM and the baselines behind the method registry): backends, U-Net, schedule, noise, losses, training, inference, checkpoints.
export { ADAM_DEFAULTS, Adam, type AdamSettings } from './adam.ts';
export { initBackend, type AdapterInfo, type BackendChoice, type BackendOptions, type BackendPreference } from './backend.ts';
export {
  CHECKPOINT_DOC,
  CHECKPOINT_MAGIC,
  CHECKPOINT_VERSION,
  checkCheckpointTensors,
  checkpointWeights,
  deserializeCheckpoint,
  serializeCheckpoint,
  weightsOnlyCheckpoint,
  type CheckpointContents,
  type TensorEntry,
} from './checkpoint.ts';
export { CHECKPOINT_LIMITS } from './checkpointSchema.ts';
export { fromModelRange, noisedInput, toModelRange } from './diffusion.ts';
export { GROUP_NORM_EPS, timestepEmbedding } from './layers.ts';
export { patchedLoss, type LossKind, type LossOptions, type LossRange } from './loss.ts';
export { noiseBatch, noiseField, type NoiseType } from './noise.ts';
export { boxMask, PATCH_SIZE, patchBoxes, SLICE_SIZE, type PatchBox, type PatchingMode } from './patching.ts';
export { dataParallelApply, forwardShareSizes, type ForwardHelpers, type ForwardShare, type SharedForwards } from './parallelForward.ts';
export { reconstructVolume, type ReconstructOptions } from './reconstruct.ts';
export { Rng, type RngState } from './rng.ts';
export { COSINE_OFFSET, cosineSchedule, DIFFUSION_STEPS, MAX_BETA, MAX_DIFFUSION_STEPS, type NoiseSchedule } from './schedule.ts';
export { SIMPLEX_DEFAULTS, seededNoise3D, simplexField, type SimplexParams } from './simplexNoise.ts';
export { fqMapTf, ssimLossMapTf } from './ssim.ts';
export type { Batch, GradientHelpers, MicroBatchJob, MicroBatchResult } from './microBatch.ts';
export { Trainer, type RunOptions, type TrainerOptions, type TrainingData } from './trainer.ts';
export { PauseGate } from './pauseGate.ts';
export { defaultTrainingConfig, MICRO_BATCH_DEFAULTS, type AirSetting, type TrainingConfig } from './trainingConfig.ts';
export { CONFORMED_DIMS, prepareVolumes, SliceSampler, type PreparedVolume, type SamplerState, type TrainingVolume } from './trainingData.ts';
export type { HistoryEntry, TrainingProgress, TrainingState } from './trainingState.ts';
export { fanoganSettings } from './methods/fanogan/index.ts';
export { defaultGanSteps } from './methods/fanogan/split.ts';
export { createNetwork, METHOD_NAMES, methodDescription, methodOf, methodOptionsOf, methodParamSpecs, METHODS, networkFromWeights } from './methods/registry.ts';
export type { BaselineSettings, MethodDescription, MethodName, MethodNetwork, MethodOptions, MethodReconstructOptions, NetworkSummary, PresetName } from './methods/types.ts';
export { VAE_VARIANTS, type VaeVariant } from './methods/autoencoder/index.ts';
export { UNet } from './unet.ts';
export { UNET_PRESETS, unetPreset, type UNetConfig, type UNetPresetName } from './unetConfig.ts';
export { unetForwardFlops, unetParameterCount, unetParamSpecs, unetPlan, type ParamSpec, type UNetPlan } from './unetPlan.ts';
export { registerWasmBatchMatMul } from './wasmBatchMatMul.ts';
export { registerWasmConvGradients } from './wasmConvGradients.ts';
export { registerWasmGroupNorm } from './wasmGroupNorm.ts';
export { registerWasmSum } from './wasmSum.ts';
export { registerWasmCopyKernels } from './wasmCopyKernels.ts';
