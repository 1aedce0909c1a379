// Reads one scan file of any supported format into a Volume: NIfTI with fqlab's reader, MHA/NRRD/MGH with itk-wasm.
import { FqlabError } from '../core/errors.ts';
import { readNifti } from '../core/nifti/index.ts';
import { itkImageToVolume } from './itkVolume.ts';
import type { ItkFileFormat, ScanImage, ScanReaders } from './readerTypes.ts';
import { detachedHeaderAdvice, scanFormatOf, SCAN_FORMATS_IN_WORDS, type ScanFileFormat } from './scanFiles.ts';

const FORMAT_NAMES: Record<ItkFileFormat, string> = { metaimage: 'MetaImage', nrrd: 'NRRD', mgh: 'MGH/MGZ' };

/** The extension itk-wasm's readers need to see (they check it before reading). */
function itkInputName(format: ItkFileFormat, fileName: string): string {
  if (format === 'mgh') return /\.mgh$/i.test(fileName) ? 'input.mgh' : 'input.mgz';
  return format === 'metaimage' ? 'input.mha' : 'input.nrrd';
}

/**
 * Runs an itk-wasm reader with the console captured: on a damaged file ITK prints its reason (e.g. "data not read
 * completely") and throws a bare number, so the printed lines are what the message can quote. Capturing also keeps
 * the CLI's stdout for its one JSON object.
 */
async function withCapturedConsole<T>(run: () => Promise<T>): Promise<{ result?: T; error?: unknown; printed: string[] }> {
  const printed: string[] = [];
  const { log, error } = console;
  const capture = (...parts: unknown[]): void => {
    printed.push(parts.map(String).join(' '));
  };
  console.log = capture;
  console.error = capture;
  try {
    return { result: await run(), printed };
  } catch (thrown) {
    return { error: thrown, printed };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** ITK's own explanation, without itk-wasm's boilerplate lines. */
function itkReason(printed: readonly string[], thrown: unknown): string {
  const lines = printed
    .flatMap((p) => p.split('\n'))
    .map((line) => line.replace(/^(stdout|stderr):\s*/, '').trim())
    .filter((line) => line !== '' && !/^Exception while running pipeline|^Build module in Debug mode/.test(line));
  if (lines.length > 0) return [...new Set(lines)].join(' ');
  return thrown instanceof Error ? thrown.message : 'no reason given';
}

async function readWithItk(format: ItkFileFormat, fileName: string, bytes: Uint8Array, readers: ScanReaders): Promise<ScanImage> {
  const formatName = FORMAT_NAMES[format];
  const { result, error, printed } = await withCapturedConsole(() => readers.readItkImage(format, itkInputName(format, fileName), bytes));
  if (error !== undefined || !result?.couldRead || !result.image) {
    const reason = error !== undefined ? `ITK: ${itkReason(printed, error)}` : `ITK's ${formatName} reader does not recognise it`;
    throw new FqlabError('unreadable-image', fileName,
      `cannot be read as ${formatName} (${reason}); check that the file is complete and really ${formatName}, or convert it to NIfTI.`);
  }
  const { volume, datatypeName } = itkImageToVolume(result.image, fileName);
  return { volume, datatypeName, source: format };
}

/** The single-file format of a name, or an error saying what fqlab reads instead. */
export function requireScanFormat(fileName: string): ScanFileFormat {
  const detached = detachedHeaderAdvice(fileName);
  if (detached) throw new FqlabError('unreadable-image', fileName, detached);
  const format = scanFormatOf(fileName);
  if (!format) {
    throw new FqlabError('unreadable-image', fileName, `is not a scan file fqlab reads (${SCAN_FORMATS_IN_WORDS}); convert it or pick the right file.`);
  }
  return format;
}

/**
 * Reads one file, its format told by its name: NIfTI goes through fqlab's NIfTI reader (nibabel's rules), MetaImage,
 * NRRD and MGH/MGZ through itk-wasm (ITK's readers), with the affine ITK's NIfTI writer would store.
 * @example
 * const { volume } = await readScanFile('BraTS_pat0001_flair.mha', bytes, nodeScanReaders);
 */
export async function readScanFile(fileName: string, bytes: Uint8Array, readers: ScanReaders | null): Promise<ScanImage> {
  const format = requireScanFormat(fileName);
  if (format === 'nifti') {
    const { volume, header } = readNifti(bytes, fileName);
    return { volume, datatypeName: header.datatypeName, source: 'nifti' };
  }
  if (!readers) {
    throw new FqlabError('unreadable-image', fileName, `needs the ${FORMAT_NAMES[format]} reader, which this fqlab build lacks; convert it to NIfTI.`);
  }
  return readWithItk(format, fileName, bytes, readers);
}
