// Every knob of template registration and atlas-based skull stripping, with its default and why.

export interface RegistrationSettings {
  /** Voxel size (mm) of the scan's copy that elastix sees: coarse enough for seconds in WASM, fine enough for 1 mm Dice. */
  readonly fixedSpacingMm: number;
  /** Multi-resolution levels per stage (elastix NumberOfResolutions). */
  readonly resolutions: number;
  /** Optimiser iterations per resolution, rigid stage then affine stage. */
  readonly rigidIterations: number;
  readonly affineIterations: number;
  /** Random samples per iteration (elastix NumberOfSpatialSamples). */
  readonly spatialSamples: number;
  /** Joint histogram bins of Mattes mutual information (multi-modal: a T2 scan against a T1 template). */
  readonly histogramBins: number;
  /** The warped (partial-volume) template mask counts as brain from this value on. */
  readonly maskThreshold: number;
  /**
   * Without a brain mask, a scan counts as already skull-stripped (and meets the skull-stripped template) when at
   * least this share of its voxels holds exactly its minimum: stripping leaves a constant background, while a raw
   * scan's background is noise.
   */
  readonly strippedBackgroundShare: number;
  /** Voxel size (mm) of the template-space grid a registered scan is resampled onto before conform (the reference's 1 mm). */
  readonly templateSpaceSpacingMm: number;
}

export const REGISTRATION_SETTINGS: RegistrationSettings = {
  fixedSpacingMm: 3,
  resolutions: 3,
  rigidIterations: 200,
  affineIterations: 200,
  spatialSamples: 2048,
  histogramBins: 32,
  maskThreshold: 0.5,
  strippedBackgroundShare: 0.4,
  templateSpaceSpacingMm: 1,
};

/** Which shipped template the scan meets: with its skull, or skull-stripped; 'auto' decides from the scan. */
export type TemplateChoice = 'auto' | 'head' | 'brain';
