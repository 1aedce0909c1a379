// Property-based (fast-check) tests of the NIfTI and gzip readers: any bytes decode to nibabel's values or give an FqlabError naming the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { gunzipSync, gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FqlabError, type FqlabErrorCode } from '../../src/core/errors.ts';
import { readNifti } from '../../src/core/nifti/index.ts';
import { det3, linearPart } from '../../src/core/nifti/matrix3.ts';
import type { Volume } from '../../src/core/volume.ts';
import type { NiftiFixtureCase } from './niftiFixture.ts';

/** Every knob of these properties: a fixed seed keeps CI repeatable; FQLAB_FUZZ_SEED and FQLAB_FUZZ_RUNS explore further. */
const FUZZ = {
  seed: Number(process.env.FQLAB_FUZZ_SEED ?? 20250611),
  numRuns: Number(process.env.FQLAB_FUZZ_RUNS ?? 150),
  /** A single decode of these sub-kilobyte inputs taking longer than this is a hang, not a slow machine. */
  maxDecodeMs: 2000,
  /** Array buffers a single decode may leave allocated (its result included). */
  maxRetainedBytes: 64 * 2 ** 20,
};

/** The fuzz corpus's seeds carry the reader-relevant subset of a fixture's fields. */
type Seed = Pick<
  NiftiFixtureCase,
  'name' | 'file' | 'version' | 'littleEndian' | 'datatypeCode' | 'sclSlope' | 'sclInter' | 'dims' | 'affine' | 'data'
>;

interface Mutant {
  name: string;
  file: string;
  from: string;
  kind: string;
  bytes: string;
  verdict: 'ok' | 'error';
  error?: string;
  dims?: number[];
  /** null entries: NaN or Inf; null arrays: several volumes. */
  affine?: (number | null)[] | null;
  data?: (number | null)[] | null;
}

const fuzzDir = fileURLToPath(new URL('../fixtures/nifti/fuzz/', import.meta.url));
const corpus = JSON.parse(readFileSync(join(fuzzDir, 'manifest.json'), 'utf8')) as {
  ignoredHeaderBytes: Record<'1' | '2', [number, number][]>;
  seeds: Seed[];
  mutants: Mutant[];
};
const seedBytes = new Map(corpus.seeds.map((s) => [s.name, new Uint8Array(readFileSync(join(fuzzDir, s.file)))]));
const bytesOf = (seed: Seed): Uint8Array => seedBytes.get(seed.name) as Uint8Array;
const isGz = (seed: Seed): boolean => seed.file.endsWith('.gz');
const gzSeeds = corpus.seeds.filter(isGz);
const rawSeeds = corpus.seeds.filter((s) => !isGz(s));
const voxOffset = (seed: Seed): number => (seed.version === 1 ? 352 : 544);

type Outcome = { volume: Volume; error?: undefined } | { volume?: undefined; error: FqlabError };

/**
 * Reads `bytes` as `name`: a volume, or an FqlabError that names the file; anything else (or a hang, or a leak) fails.
 * The same bytes as a Node Buffer at an odd offset into a larger one (as Node's pool hands out small files) must give
 * the same outcome.
 */
function decode(bytes: Uint8Array, name: string): Outcome {
  const outcome = decodeOnce(bytes, name);
  const pool = Buffer.alloc(bytes.length + 2 * POOL_OFFSET, 0x5a);
  pool.set(bytes, POOL_OFFSET);
  const pooled = decodeOnce(pool.subarray(POOL_OFFSET, POOL_OFFSET + bytes.length), name);
  expect(pooled.error?.code).toBe(outcome.error?.code);
  expect(Array.from(pooled.volume?.data ?? [])).toEqual(Array.from(outcome.volume?.data ?? []));
  return outcome;
}
const POOL_OFFSET = 1001;

function decodeOnce(bytes: Uint8Array, name: string): Outcome {
  const memoryBefore = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  let outcome: Outcome;
  try {
    outcome = { volume: readNifti(bytes, name).volume };
  } catch (e) {
    if (!(e instanceof FqlabError)) throw new Error(`${name}: threw ${String(e)} instead of an FqlabError`, { cause: e });
    expect(e.fileName).toBe(name);
    expect(e.message.startsWith(`${name}: `)).toBe(true);
    outcome = { error: e };
  }
  expect(performance.now() - start, `decoding ${bytes.length} bytes`).toBeLessThan(FUZZ.maxDecodeMs);
  expect(process.memoryUsage().arrayBuffers - memoryBefore).toBeLessThan(FUZZ.maxRetainedBytes);
  return outcome;
}

/** True when the volume is exactly what nibabel read (values to float32, affine to float32 header precision). */
function matches(volume: Volume, reference: { dims?: number[]; affine?: (number | null)[] | null; data?: (number | null)[] | null }): boolean {
  const { dims, affine, data } = reference;
  if (!dims || !affine || !data || volume.dims.join() !== dims.join() || volume.data.length !== data.length) return false;
  if (data.some((v, n) => v === null || Math.fround(v) !== volume.data[n])) return false;
  return affine.every((v, n) => v !== null && Math.abs(v - volume.affine[n]) <= 1e-5 * Math.max(1, Math.abs(v)));
}

/** What a usable volume must satisfy even when no reference says what it holds. */
function expectWellFormed(volume: Volume): void {
  expect(volume.dims.every((d) => Number.isInteger(d) && d >= 1)).toBe(true);
  expect(volume.data.length).toBe(volume.dims[0] * volume.dims[1] * volume.dims[2]);
  expect(volume.data.every(Number.isFinite)).toBe(true);
  expect(volume.affine.every(Number.isFinite)).toBe(true);
  expect(det3(linearPart(volume.affine))).not.toBe(0);
  expect(volume.spacing.every((s) => Number.isFinite(s) && s > 0)).toBe(true);
}

const storedValue: Record<number, { bytes: number; read: (view: DataView, at: number, le: boolean) => number }> = {
  2: { bytes: 1, read: (v, at) => v.getUint8(at) },
  4: { bytes: 2, read: (v, at, le) => v.getInt16(at, le) },
  16: { bytes: 4, read: (v, at, le) => v.getFloat32(at, le) },
};

/** An independent one-voxel decoder (DataView, not typed arrays) for the raw seeds' datatypes, with nibabel's scaling rule. */
function referenceVoxel(seed: Seed, bytes: Uint8Array, voxel: number): number {
  const type = storedValue[seed.datatypeCode];
  const stored = type.read(new DataView(bytes.buffer, bytes.byteOffset), voxOffset(seed) + voxel * type.bytes, seed.littleEndian);
  const scaled = seed.sclSlope !== null && seed.sclSlope !== 0; // NaN (stored as null) or 0 means unscaled
  return Math.fround(scaled ? stored * (seed.sclSlope as number) + (seed.sclInter ?? 0) : stored);
}

/** Byte edits applied in order: xor one byte, cut the end off, or replace a span by bytes of another seed. */
type Edit =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'cut'; at: number }
  | { kind: 'splice'; at: number; remove: number; seed: number; from: number; length: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('splice' as const), at: fc.nat(), remove: fc.nat({ max: 64 }),
      seed: fc.nat({ max: corpus.seeds.length - 1 }), from: fc.nat(), length: fc.nat({ max: 64 }),
    }),
  },
);

function applyEdits(original: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let bytes = original.slice();
  for (const e of edits) {
    if (bytes.length === 0) break;
    const at = e.at % bytes.length;
    if (e.kind === 'flip') {
      bytes[at] ^= e.xor;
    } else if (e.kind === 'cut') {
      bytes = bytes.slice(0, at);
    } else {
      const donor = bytesOf(corpus.seeds[e.seed]);
      const piece = donor.subarray(e.from % donor.length, (e.from % donor.length) + e.length);
      const next = new Uint8Array(bytes.length - Math.min(e.remove, bytes.length - at) + piece.length);
      next.set(bytes.subarray(0, at));
      next.set(piece, at);
      next.set(bytes.subarray(at + e.remove), at + piece.length);
      bytes = next;
    }
  }
  return bytes;
}

const run = <T>(property: fc.IProperty<T>): void => fc.assert(property, { seed: FUZZ.seed, numRuns: FUZZ.numRuns });

describe('the fuzz corpus read by nibabel', () => {
  it('has seeds of both versions, gzipped and raw, and mutants nibabel reads and refuses', () => {
    expect(new Set(corpus.seeds.map((s) => s.version))).toEqual(new Set([1, 2]));
    expect(gzSeeds.length).toBeGreaterThanOrEqual(4);
    expect(rawSeeds.length).toBeGreaterThanOrEqual(3);
    expect(rawSeeds.every((s) => s.datatypeCode in storedValue)).toBe(true);
    expect(corpus.mutants.filter((m) => m.verdict === 'ok').length).toBeGreaterThanOrEqual(30);
    expect(corpus.mutants.filter((m) => m.verdict === 'error').length).toBeGreaterThanOrEqual(30);
  });

  it('reads every seed to nibabel\'s values', () => {
    for (const seed of corpus.seeds) {
      const { volume } = decode(bytesOf(seed), seed.file);
      expect(volume && matches(volume, seed), seed.name).toBe(true);
    }
  });

  it('refuses every mutant nibabel refuses, and reads the others to nibabel\'s values or refuses them', () => {
    for (const m of corpus.mutants) {
      const outcome = decode(new Uint8Array(Buffer.from(m.bytes, 'base64')), m.file);
      if (m.verdict === 'error') expect(outcome.error, `${m.name} (${m.kind}): nibabel says ${m.error}`).toBeDefined();
      else if (outcome.volume) expect(matches(outcome.volume, m), `${m.name} (${m.kind})`).toBe(true);
    }
  });
});

describe('readNifti on mutated bytes (fast-check)', () => {
  it('.nii.gz: any change to the compressed bytes gives a seed\'s values or an FqlabError', () => {
    run(fc.property(fc.constantFrom(...gzSeeds), fc.array(editArb, { minLength: 1, maxLength: 4 }), (seed, edits) => {
      const { volume } = decode(applyEdits(bytesOf(seed), edits), seed.file);
      if (volume) expect(corpus.seeds.some((s) => matches(volume, s))).toBe(true);
    }));
  });

  it('.nii.gz: any split into concatenated gzip members (as bgzip writes) reads the same', () => {
    const cuts = fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 40 });
    run(fc.property(fc.constantFrom(...corpus.seeds), cuts, fc.constantFrom(0, 1, 6, 9), (seed, at, level) => {
      const raw = isGz(seed) ? gunzipSync(bytesOf(seed)) : bytesOf(seed);
      const bounds = [0, ...new Set(at.map((a) => a % raw.length)), raw.length].sort((a, b) => a - b);
      const members = bounds.slice(1).map((end, n) => gzipSync(raw.subarray(bounds[n], end), { level }));
      const joined = new Uint8Array(members.reduce((sum, m) => sum + m.length, 0));
      members.reduce((offset, m) => (joined.set(m, offset), offset + m.length), 0);
      const { volume } = decode(joined, seed.file);
      expect(volume && matches(volume, seed)).toBe(true);
    }));
  });

  it('.nii: changed voxel bytes give the values an independent decoder reads there (or an FqlabError for NaN/Inf)', () => {
    const flips = fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 6 });
    run(fc.property(fc.constantFrom(...rawSeeds), flips, (seed, edits) => {
      const bytes = bytesOf(seed).slice();
      const start = voxOffset(seed);
      for (const e of edits) bytes[start + (e.at % (bytes.length - start))] ^= e.xor;
      const expected = seed.data.map((_, n) => referenceVoxel(seed, bytes, n));
      const outcome = decode(bytes, seed.file);
      if (expected.every(Number.isFinite)) expect(Array.from(outcome.volume?.data ?? [])).toEqual(expected);
      else expect(outcome.error?.code).toBe('non-finite');
    }));
  });

  it('.nii and .nii.gz: header fields nibabel ignores change nothing', () => {
    run(fc.property(fc.constantFrom(...corpus.seeds), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 12 }), (seed, writes) => {
      const ranges = corpus.ignoredHeaderBytes[seed.version];
      const raw = isGz(seed) ? gunzipSync(bytesOf(seed)) : bytesOf(seed).slice();
      for (const [pick, value] of writes) {
        const [from, to] = ranges[pick % ranges.length];
        raw[from + (Math.floor(pick / ranges.length) % (to - from))] = value;
      }
      const { volume } = decode(isGz(seed) ? gzipSync(raw) : raw, seed.file);
      expect(volume && matches(volume, seed)).toBe(true);
    }));
  });

  it('.nii: every cut before the last voxel is refused', () => {
    run(fc.property(fc.constantFrom(...rawSeeds), fc.nat(), (seed, at) => {
      const bytes = bytesOf(seed);
      const { error } = decode(bytes.subarray(0, at % bytes.length), seed.file);
      expect(['truncated', 'not-nifti'] as FqlabErrorCode[]).toContain(error?.code);
    }));
  });

  it('.nii: any header damage gives a well-formed volume or an FqlabError, the same with gzip as without', () => {
    const headerEdit = fc.record({ at: fc.nat(), value: fc.nat({ max: 255 }) });
    run(fc.property(fc.constantFrom(...corpus.seeds), fc.array(headerEdit, { minLength: 1, maxLength: 8 }), (seed, edits) => {
      const raw = isGz(seed) ? gunzipSync(bytesOf(seed)) : bytesOf(seed).slice();
      for (const e of edits) raw[e.at % voxOffset(seed)] = e.value;
      const plain = decode(raw, seed.file);
      const zipped = decode(gzipSync(raw), seed.file);
      if (plain.volume) {
        expectWellFormed(plain.volume);
        expect(Array.from(zipped.volume?.data ?? [])).toEqual(Array.from(plain.volume.data));
        expect(Array.from(zipped.volume?.affine ?? [])).toEqual(Array.from(plain.volume.affine));
      } else {
        expect(zipped.error?.code).toBe(plain.error.code);
      }
    }));
  });
});

describe('readNifti on arbitrary bytes (fast-check)', () => {
  it('never throws anything but an FqlabError', () => {
    run(fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      const { volume } = decode(bytes, 'random.nii');
      if (volume) expectWellFormed(volume);
    }));
  });

  it('never throws anything but an FqlabError behind a plausible start (gzip, a header, a seed\'s header)', () => {
    const headerStarts = corpus.seeds.map((s) => (isGz(s) ? gunzipSync(bytesOf(s)) : bytesOf(s)).subarray(0, voxOffset(s)));
    const prefix = fc.constantFrom(
      new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3]),
      new Uint8Array([0x5c, 0x01, 0, 0]),
      new Uint8Array([0, 0, 0x01, 0x5c]),
      new Uint8Array([0x1c, 0x02, 0, 0, 0x6e, 0x2b, 0x32, 0]),
      ...headerStarts,
    );
    run(fc.property(prefix, fc.uint8Array({ maxLength: 1024 }), fc.boolean(), (start, tail, zip) => {
      const joined = new Uint8Array(start.length + tail.length);
      joined.set(start);
      joined.set(tail, start.length);
      const { volume } = decode(zip ? gzipSync(joined) : joined, 'random.nii.gz');
      if (volume) expectWellFormed(volume);
    }));
  });
});
