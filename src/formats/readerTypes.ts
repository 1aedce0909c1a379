// What the format readers need from their platform (browser worker or Node): a dcm2niix instance and itk-wasm's readers.
import type { Volume } from '../core/volume.ts';
import type { ScanSource } from './scanFiles.ts';

/** The part of dcm2niix's Emscripten module fqlab drives: its in-memory file system and its main(). */
export interface Dcm2niixModule {
  FS: {
    mkdir(path: string): void;
    writeFile(path: string, data: Uint8Array): void;
    readdir(path: string): string[];
    readFile(path: string): Uint8Array;
  };
  callMain(args: string[]): number;
}

/** Emscripten's module options fqlab sets: console output captured, main() only when called. */
export interface Dcm2niixOptions {
  print: (line: string) => void;
  printErr: (line: string) => void;
  noInitialRun: true;
}

/** Starts a fresh dcm2niix instance (one per conversion: the module is spent once its main() has exited). */
export type Dcm2niixFactory = (options: Dcm2niixOptions) => Promise<Dcm2niixModule>;

/** The fields of an itk-wasm Image fqlab uses (origin, spacing and direction in ITK's LPS world). */
export interface ItkImage {
  imageType: { dimension: number; componentType: string; pixelType: string; components: number };
  origin: number[];
  spacing: number[];
  /** dimension x dimension direction cosines. */
  direction: ArrayLike<number>;
  size: number[];
  data: ArrayLike<number | bigint> | null;
}

/** The itk-wasm image-io readers fqlab uses, by format. */
export type ItkFileFormat = 'metaimage' | 'nrrd' | 'mgh';

/** The platform's readers; tests and the CLI pass the Node ones, the browser worker the bundled ones. */
export interface ScanReaders {
  dcm2niix: Dcm2niixFactory;
  /** Reads one file's bytes with itk-wasm; `fileName` only gives the pipeline the extension. */
  readItkImage(format: ItkFileFormat, fileName: string, bytes: Uint8Array): Promise<{ couldRead: boolean; image: ItkImage | null }>;
}

/** One file of a DICOM series as handed over: its path inside the dropped folder (or its name) and bytes. */
export interface SeriesFile {
  path: string;
  bytes: Uint8Array;
}

/** A volume read from any supported format, with what the file list shows about it. */
export interface ScanImage {
  volume: Volume;
  /** The stored voxel type, e.g. "int16" (before scaling to float32). */
  datatypeName: string;
  source: ScanSource;
}
