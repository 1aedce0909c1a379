// Bounded, checksummed gzip decompression for .nii.gz: inflates the header, the voxel bytes it asks for, and the rest of the stream only to check it.
import { Gunzip } from 'fflate';
import { FqlabError } from '../errors.ts';
import { crc32 } from './crc32.ts';

/** Deflate cannot expand data by more than about 1032:1. */
const MAX_DEFLATE_RATIO = 1032;
/** Before the header is parsed: at most ~1 MiB comes out of one step, whatever the stream holds. */
const HEADER_INPUT_STEP = 1024;
/** Also the step after the voxels, so at most ~16 MiB comes out of one step there. */
const MIN_INPUT_STEP = 16 * 1024;
/** At most ~64 MiB comes out of one step (fflate holds a step's output twice while making it). */
const MAX_INPUT_STEP = 64 * 1024;
/**
 * Decompressed bytes allowed after the voxels the header describes. A NIfTI file ends with its voxels; the bytes
 * after them are inflated only to verify the gzip checksum, so this bounds the work a gzip bomb behind a valid
 * header can cause.
 */
const MAX_BYTES_AFTER_VOXELS = 16 * 2 ** 20;
const GZIP_TRAILER_BYTES = 8;

/**
 * Compressed bytes to feed next: tiny until the header is planned, then about what the remaining output
 * needs at deflate's maximum ratio, within MIN_INPUT_STEP..MAX_INPUT_STEP.
 */
function inputStep(range: ByteRange | undefined, filled: number): number {
  if (!range) return HEADER_INPUT_STEP;
  const remaining = range.length - filled;
  return Math.min(MAX_INPUT_STEP, Math.max(MIN_INPUT_STEP, Math.ceil(remaining / MAX_DEFLATE_RATIO)));
}

/** gzip magic bytes (RFC 1952), checked on content rather than on the file name. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Where the wanted bytes lie in the decompressed stream. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Inflates the gzip stream until `peekBytes` bytes (or the whole stream, if shorter) are out, asks `plan` which
 * range of the decompressed stream it needs, and returns exactly that range in a fresh buffer. The rest of the
 * stream is inflated too, without keeping it, so that every member's CRC-32 and size can be checked against its
 * trailer; at most MAX_BYTES_AFTER_VOXELS may follow the range. Memory never exceeds the planned length (which
 * `plan` validates) nor what the stream really holds: the buffer starts at the size the gzip trailer suggests
 * (capped by deflate's maximum ratio) and grows only as data arrives, so a header that lies about its size fails
 * fast as 'truncated'.
 */
export function gunzipRange(
  bytes: Uint8Array,
  fileName: string,
  peekBytes: number,
  plan: (prefix: Uint8Array) => ByteRange,
): Uint8Array {
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let range: ByteRange | undefined;
  let out: Uint8Array | undefined;
  let produced = 0; // decompressed bytes seen so far (position of the next chunk in the stream)
  let filled = 0;
  const member = { crc: 0, size: 0 }; // of the gzip member being inflated

  const place = (chunk: Uint8Array, at: number): void => {
    if (!range || !out) return;
    const from = Math.max(range.offset, at);
    const to = Math.min(range.offset + range.length, at + chunk.length);
    if (to <= from) return;
    if (to - range.offset > out.length) {
      const grown = new Uint8Array(Math.min(range.length, Math.max(to - range.offset, 2 * out.length)));
      grown.set(out.subarray(0, filled));
      out = grown;
    }
    out.set(chunk.subarray(from - at, to - at), from - range.offset);
    filled += to - from;
  };
  const startPlan = (): void => {
    const prefix = pending.length === 1 ? pending[0] : concat(pending, pendingBytes);
    range = plan(prefix);
    const likelyTotal = Math.min(gzipTrailerSize(bytes), bytes.length * MAX_DEFLATE_RATIO);
    out = new Uint8Array(Math.min(range.length, Math.max(0, likelyTotal - range.offset)));
    place(prefix, 0);
  };
  /** Checks the member that ends at input byte `end` against its trailer (RFC 1952: CRC-32, then ISIZE = size mod 2^32). */
  const checkMember = (end: number): void => {
    const storedCrc = readUint32(bytes, end - GZIP_TRAILER_BYTES);
    const storedSize = readUint32(bytes, end - 4);
    if (end < GZIP_TRAILER_BYTES || storedCrc !== member.crc) {
      throw new FqlabError('bad-gzip', fileName,
        `fails its gzip checksum (the decompressed data has CRC-32 ${hex(member.crc)}, the file says ${hex(storedCrc)}), ` +
        'so its bytes were changed or cut off after it was compressed; copy or download the file again');
    }
    if (storedSize !== member.size % 2 ** 32) {
      throw new FqlabError('bad-gzip', fileName,
        `decompresses to ${member.size} bytes but its gzip trailer says ${storedSize} (mod 2^32); the file is damaged, copy or download it again`);
    }
    member.crc = 0;
    member.size = 0;
  };

  const inflater = new Gunzip();
  inflater.ondata = (chunk: Uint8Array) => {
    member.crc = crc32(member.crc, chunk);
    member.size += chunk.length;
    if (range) {
      place(chunk, produced);
    } else if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= peekBytes) startPlan();
    }
    produced += chunk.length;
  };
  inflater.onmember = (start: number) => checkMember(start); // a concatenated member starts where the last one's trailer ends

  let cutOff = false;
  try {
    for (let pos = 0; pos < bytes.length;) {
      const end = Math.min(pos + inputStep(range, filled), bytes.length);
      inflater.push(bytes.subarray(pos, end)); // never 'final' here: a cut-off stream would lose that step's output
      pos = end;
      if (range) refuseExcess(produced - (range.offset + range.length), range.length, fileName);
    }
    inflater.push(new Uint8Array(0), true); // flush the tail; throws if the stream is cut off
  } catch (cause) {
    if (cause instanceof FqlabError) throw cause;
    if (!isUnexpectedEnd(cause)) {
      throw new FqlabError('bad-gzip', fileName,
        `starts like gzip but its compressed data is corrupt (${describe(cause)}); copy or download the file again`);
    }
    if (produced === 0) {
      throw new FqlabError('truncated', fileName,
        `is a gzip stream that ends after ${bytes.length} bytes, before any image data; the file is cut off, copy or download it again`);
    }
    cutOff = true; // the checks below say what is missing
  }
  if (!range) startPlan(); // the whole stream is shorter than the peek (tiny image, or cut off inside the header)
  const wanted = range as ByteRange;
  if (filled !== wanted.length) {
    const available = Math.max(0, produced - wanted.offset);
    throw new FqlabError('truncated', fileName,
      `decompresses to ${produced} bytes but its header needs ${wanted.offset + wanted.length} ` +
      `(${wanted.length} bytes of voxels from byte ${wanted.offset}, only ${available} present); ` +
      'the file is cut off or its dims are wrong, copy or download it again');
  }
  if (cutOff) {
    throw new FqlabError('truncated', fileName,
      `is a gzip stream that ends after ${bytes.length} bytes, before its end marker and checksum (the voxels are there, ` +
      'but nothing proves them intact); the file is cut off, copy or download it again');
  }
  checkMember(bytes.length);
  return out as Uint8Array;
}

/** Refuses a stream that goes on far beyond the voxels: the dims are wrong, or it is a gzip bomb. */
function refuseExcess(bytesAfterVoxels: number, voxelBytes: number, fileName: string): void {
  if (bytesAfterVoxels <= MAX_BYTES_AFTER_VOXELS) return;
  throw new FqlabError('bad-dims', fileName,
    `decompresses to more than ${MAX_BYTES_AFTER_VOXELS / 2 ** 20} MiB beyond the ${voxelBytes} bytes of voxels its header describes; ` +
    'a NIfTI file ends with its voxels, so its dims are wrong (a damaged 4D header?) or it is not one image; check the header (e.g. fslhd) and save the image again');
}

/** ISIZE, the uncompressed size mod 2^32 stored in the last gzip member's trailer: a hint, not a promise. */
function gzipTrailerSize(bytes: Uint8Array): number {
  return bytes.length < 18 ? 0 : readUint32(bytes, bytes.length - 4);
}

function readUint32(bytes: Uint8Array, at: number): number {
  if (at < 0) return 0;
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/** fflate reports a stream that ends early with error code 0 ('unexpected EOF'). */
function isUnexpectedEnd(cause: unknown): boolean {
  return typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 0;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
