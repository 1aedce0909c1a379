// The elastix parameter maps of fqlab's two registration stages: rigid (Euler), then affine, by Mattes mutual information.
import type { RegistrationSettings } from './settings.ts';
import type { ElastixParameterMap } from './transform.ts';

/** The registration stages in the order they run. */
export type RegistrationStage = 'rigid' | 'affine';

function asParameterMap(values: Record<string, string | number>): ElastixParameterMap {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, [String(value)]]));
}

/**
 * One stage's parameter map. Mutual information because scan and template differ in modality (T2, FLAIR against
 * a T1 template); smoothing pyramids and random coordinate samples as elastix's own rigid and affine defaults; no
 * result image (fqlab resamples itself). The rigid stage starts from aligned centres of gravity, so scans anywhere
 * in scanner space are found; the affine stage starts from the rigid result.
 */
export function stageParameterMap(stage: RegistrationStage, settings: RegistrationSettings): ElastixParameterMap {
  return asParameterMap({
    Registration: 'MultiResolutionRegistration',
    FixedImagePyramid: 'FixedSmoothingImagePyramid',
    MovingImagePyramid: 'MovingSmoothingImagePyramid',
    Interpolator: 'LinearInterpolator',
    ResampleInterpolator: 'FinalLinearInterpolator',
    Resampler: 'DefaultResampler',
    Optimizer: 'AdaptiveStochasticGradientDescent',
    AutomaticParameterEstimation: 'true',
    AutomaticScalesEstimation: 'true',
    Metric: 'AdvancedMattesMutualInformation',
    NumberOfHistogramBins: settings.histogramBins,
    Transform: stage === 'rigid' ? 'EulerTransform' : 'AffineTransform',
    NumberOfResolutions: settings.resolutions,
    MaximumNumberOfIterations: stage === 'rigid' ? settings.rigidIterations : settings.affineIterations,
    ImageSampler: 'RandomCoordinate',
    NumberOfSpatialSamples: settings.spatialSamples,
    NewSamplesEveryIteration: 'true',
    CheckNumberOfSamples: 'true',
    MaximumNumberOfSamplingAttempts: 8,
    DefaultPixelValue: 0,
    HowToCombineTransforms: 'Compose',
    WriteResultImage: 'false',
    ...(stage === 'rigid' ? { AutomaticTransformInitialization: 'true', AutomaticTransformInitializationMethod: 'CenterOfGravity' } : {}),
  });
}
