// The format readers in Node (CLI, tests): dcm2niix's Emscripten module and itk-wasm's Node readers, from node_modules.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dcm2niixFactory, Dcm2niixModule, ItkFileFormat, ItkImage, ScanReaders } from './readerTypes.ts';

/** The package exports only its browser entry, so the Emscripten module beside it is found from that entry's path. */
const DCM2NIIX_MODULE_URL = new URL('./dcm2niix.jpeg.js', import.meta.resolve('@niivue/dcm2niix')).href;

const dcm2niixNode: Dcm2niixFactory = async (options) => {
  const { default: createModule } = (await import(/* @vite-ignore */ DCM2NIIX_MODULE_URL)) as {
    default: (options: object) => Promise<Dcm2niixModule>;
  };
  const module = await createModule(options);
  const callMain = module.callMain.bind(module);
  // Emscripten's exit() in Node sets process.exitCode to dcm2niix's status; the CLI's own exit code must not change.
  module.callMain = (args) => {
    const exitCode = process.exitCode;
    try {
      return callMain(args);
    } finally {
      process.exitCode = exitCode;
    }
  };
  return module;
};

/** itk-wasm's Node readers take a path, so the bytes (already read and size-checked by the caller) go to a private temp file. */
async function readItkImageNode(format: ItkFileFormat, fileName: string, bytes: Uint8Array): Promise<{ couldRead: boolean; image: ItkImage | null }> {
  // Imported on first use: the CLI's other commands do not pay for loading itk-wasm.
  const { mghReadImageNode, metaReadImageNode, nrrdReadImageNode } = await import('@itk-wasm/image-io');
  const readers = { metaimage: metaReadImageNode, nrrd: nrrdReadImageNode, mgh: mghReadImageNode } as const;
  const folder = mkdtempSync(join(tmpdir(), 'fqlab-itk-'));
  try {
    const path = join(folder, fileName);
    writeFileSync(path, bytes);
    const { couldRead, image } = await readers[format](path);
    return { couldRead: couldRead === true, image: (image as ItkImage | undefined) ?? null };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Pass to `new Session({ scanReaders })` or `readScanFile` in Node. */
export const nodeScanReaders: ScanReaders = { dcm2niix: dcm2niixNode, readItkImage: readItkImageNode };
