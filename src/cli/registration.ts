// Template registration in Node: the shipped template read from public/templates, elastix run as local WASM (elastixNode).
import { readFileSync } from 'node:fs';
import { elastixNode } from '@itk-wasm/elastix';
import type { Image, JsonCompatible } from 'itk-wasm';
import { readNifti } from '../core/nifti/index.ts';
import { TEMPLATE_FILES, TEMPLATE_FOLDER } from '../core/registration/templateFiles.ts';
import type { ElastixRunner, RegistrationTemplates } from '../core/registration/templateRegistration.ts';
import type { ElastixParameterMap } from '../core/registration/transform.ts';

const TEMPLATE_DIR = new URL(`../../public/${TEMPLATE_FOLDER}/`, import.meta.url);

/** The shipped template, read from the repository's public/templates folder. */
export function readShippedTemplates(): RegistrationTemplates {
  const read = (name: string) => {
    const url = new URL(name, TEMPLATE_DIR);
    return readNifti(new Uint8Array(readFileSync(url)), url.pathname).volume;
  };
  return { head: read(TEMPLATE_FILES.head), brain: read(TEMPLATE_FILES.brain), brainMask: read(TEMPLATE_FILES.brainMask) };
}

/** elastix through itk-wasm's Node pipeline runner (the package's own WASM file, nothing downloaded). */
export const runElastixNode: ElastixRunner = async (request) => {
  const result = await elastixNode([request.parameterMap] as unknown as JsonCompatible, {
    fixed: request.fixed as unknown as Image,
    moving: request.moving as unknown as Image,
    ...(request.initialTransformParameterObject
      ? { initialTransformParameterObject: request.initialTransformParameterObject as unknown as JsonCompatible }
      : {}),
  });
  return result.transformParameterObject as unknown as ElastixParameterMap[];
};
