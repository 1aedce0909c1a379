// Registration services in the browser worker: elastix from the site's own origin, run in this worker, and the shipped template fetched once.
import { elastix, setPipelinesBaseUrl } from '@itk-wasm/elastix';
import type { Image, JsonCompatible } from 'itk-wasm';
import { readNifti } from '../src/core/nifti/index.ts';
import { TEMPLATE_FILES, TEMPLATE_FOLDER, type ElastixParameterMap, type RegistrationTemplates } from '../src/core/registration/index.ts';
import { ELASTIX_PIPELINE_PATH } from './elastixAssets.ts';
import type { RegistrationServices } from '../src/session/skullStrip.ts';

const siteRoot = new URL(import.meta.env.BASE_URL, self.location.origin);

async function fetchTemplate(name: string): Promise<RegistrationTemplates['head']> {
  const url = new URL(`${TEMPLATE_FOLDER}/${name}`, siteRoot);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the shipped template ${url.pathname} could not be loaded (HTTP ${response.status})`);
  return readNifti(new Uint8Array(await response.arrayBuffer()), name).volume;
}

/** elastix's module and WASM come from this origin (the CSP allows no other); it runs here, not in a nested worker. */
export function browserRegistrationServices(): RegistrationServices {
  setPipelinesBaseUrl(new URL(ELASTIX_PIPELINE_PATH, siteRoot).href);
  let templates: Promise<RegistrationTemplates> | null = null;
  return {
    async runElastix(request) {
      const { transformParameterObject } = await elastix([request.parameterMap] as unknown as JsonCompatible, {
        fixed: request.fixed as unknown as Image,
        moving: request.moving as unknown as Image,
        ...(request.initialTransformParameterObject
          ? { initialTransformParameterObject: request.initialTransformParameterObject as unknown as JsonCompatible }
          : {}),
        webWorker: false,
      });
      return transformParameterObject as unknown as ElastixParameterMap[];
    },
    loadTemplates() {
      templates ??= Promise.all([fetchTemplate(TEMPLATE_FILES.head), fetchTemplate(TEMPLATE_FILES.brain), fetchTemplate(TEMPLATE_FILES.brainMask)]).then(
        ([head, brain, brainMask]) => ({ head, brain, brainMask }),
      );
      templates.catch(() => (templates = null));
      return templates;
    },
  };
}
