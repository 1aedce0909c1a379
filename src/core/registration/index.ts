// Public face of template registration: elastix parameter maps and transforms, resampling, and atlas-based skull stripping.
export { REGISTRATION_SETTINGS } from './settings.ts';
export type { RegistrationSettings, TemplateChoice } from './settings.ts';
export { TEMPLATE_FILES, TEMPLATE_FOLDER } from './templateFiles.ts';
export {
  constantBackgroundShare,
  registerToTemplate,
  resampleToTemplateSpace,
  templateSpaceGrid,
  warpTemplateMask,
} from './templateRegistration.ts';
export type {
  ElastixRequest,
  ElastixRunner,
  RegisterOptions,
  RegistrationProgress,
  RegistrationTemplates,
  TemplateRegistration,
} from './templateRegistration.ts';
export { blockAverage, lpsAlignedGrid, resampleThrough } from './resample.ts';
export type { VoxelGrid } from './resample.ts';
export { volumeToItkImage } from './itkImage.ts';
export type { ItkScalarImage } from './itkImage.ts';
export { composeTransforms, elastixChainTransform, elastixMapTransform, invertAffine, swapLpsRas } from './transform.ts';
export type { ElastixParameterMap, PointTransform } from './transform.ts';
export { stageParameterMap } from './parameterMaps.ts';
export type { RegistrationStage } from './parameterMaps.ts';
export { scanInTemplateSpace } from './templateSpace.ts';
export type { TemplateSpaceScan } from './templateSpace.ts';
