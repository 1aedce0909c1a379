// Typed errors the science core throws; each names the file and says what to do, so the UI and CLI can show it as-is.

/** What went wrong, in a form callers can branch on. */
export type FqlabErrorCode =
  | 'not-nifti'
  | 'not-dicom'
  | 'unreadable-image'
  | 'bad-header'
  | 'truncated'
  | 'bad-gzip'
  | 'bad-dims'
  | 'too-large'
  | 'non-finite'
  | 'multi-volume'
  | 'unsupported-datatype'
  | 'grid-mismatch'
  | 'empty-mask'
  | 'bad-argument';

/** An error about one input, with a message a researcher can act on. */
export class FqlabError extends Error {
  readonly code: FqlabErrorCode;
  readonly fileName: string;

  constructor(code: FqlabErrorCode, fileName: string, problem: string) {
    super(`${fileName}: ${problem}`);
    this.name = 'FqlabError';
    this.code = code;
    this.fileName = fileName;
  }
}
