// The itk-wasm image-io pipelines the workbench serves from its own origin (never itk-wasm's default CDN), by format.
import type { ItkFileFormat } from './readerTypes.ts';

/** Pipeline names in @itk-wasm/image-io's dist/pipelines: each is <name>.js plus <name>.wasm.zst. */
export const ITK_READ_PIPELINES: Record<ItkFileFormat, string> = {
  metaimage: 'meta-read-image',
  nrrd: 'nrrd-read-image',
  mgh: 'mgh-read-image',
};

/** Where the built site and the dev server serve them, below the app's base URL. */
export const ITK_PIPELINES_PATH = 'itk-wasm/pipelines';

/** The files to serve: both parts of every pipeline above. */
export function itkPipelineFiles(): string[] {
  return Object.values(ITK_READ_PIPELINES).flatMap((name) => [`${name}.js`, `${name}.wasm.zst`]);
}
