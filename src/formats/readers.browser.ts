// The format readers in the browser worker: bundled dcm2niix WASM, and itk-wasm's readers run in this same worker.
import { mghReadImage, metaReadImage, nrrdReadImage, setPipelinesBaseUrl } from '@itk-wasm/image-io';
import createDcm2niix from '@niivue/dcm2niix/dist/dcm2niix.jpeg.js';
import dcm2niixWasmUrl from '@niivue/dcm2niix/dist/dcm2niix.jpeg.wasm?url';
import { ITK_PIPELINES_PATH } from './itkPipelines.ts';
import type { Dcm2niixFactory, ItkFileFormat, ItkImage, ScanReaders } from './readerTypes.ts';

const ITK_BROWSER_READERS = { metaimage: metaReadImage, nrrd: nrrdReadImage, mgh: mghReadImage } as const;

const dcm2niixBrowser: Dcm2niixFactory = (options) => createDcm2niix({ ...options, locateFile: () => dcm2niixWasmUrl });

let pipelinesBaseSet = false;

/**
 * itk-wasm loads each reader's JS and WASM from a base URL, by default a CDN; here from this origin (the Vite plugin
 * in vite.config.ts serves them), and `webWorker: false` runs the reader in this worker instead of spawning another.
 */
async function readItkImageBrowser(format: ItkFileFormat, fileName: string, bytes: Uint8Array): Promise<{ couldRead: boolean; image: ItkImage | null }> {
  if (!pipelinesBaseSet) {
    setPipelinesBaseUrl(new URL(`${import.meta.env.BASE_URL}${ITK_PIPELINES_PATH}`, self.location.origin).href);
    pipelinesBaseSet = true;
  }
  const { couldRead, image } = await ITK_BROWSER_READERS[format]({ path: fileName, data: bytes }, { webWorker: false });
  return { couldRead: couldRead === true, image: (image as ItkImage | undefined) ?? null };
}

/** Pass to `new Session({ scanReaders })` in the browser's compute worker. */
export const browserScanReaders: ScanReaders = { dcm2niix: dcm2niixBrowser, readItkImage: readItkImageBrowser };
