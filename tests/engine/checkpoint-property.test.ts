// Property tests of the checkpoint reader (fast-check, bounded runs): any bytes are read back faithfully or refused with an FqlabError naming the file, never another exception.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FqlabError } from '../../src/core/errors.ts';
import { CHECKPOINT_MAGIC, checkCheckpointTensors, deserializeCheckpoint, serializeCheckpoint, type CheckpointContents } from '../../src/engine/index.ts';
import { headerOf, smallCheckpoint, smallCheckpointBytes, withHeader } from './checkpointSamples.ts';

const FILE = 'fuzz/model.fqlab';
/** Cases per property: enough to hit every reader branch on each run, small enough for CI's 2 cores (well under a second each). */
const RUNS = 150;
const original = smallCheckpointBytes();

function expectNamedRefusal(error: unknown): void {
  if (!(error instanceof FqlabError)) throw error;
  expect(error.fileName).toBe(FILE);
  expect(error.message.startsWith(`${FILE}: `)).toBe(true);
  expect(error.message).not.toMatch(/\n/);
}

/**
 * The reader's contract for any bytes: an FqlabError naming the file, or contents holding no more values than the file
 * has bytes for (the memory bound), all finite and matching their shapes, that the U-Net check accepts or refuses the
 * same way and that survive a write and read unchanged.
 */
function readOrRefuse(bytes: Uint8Array): CheckpointContents | null {
  let contents: CheckpointContents;
  try {
    contents = deserializeCheckpoint(bytes, FILE);
  } catch (error) {
    expectNamedRefusal(error);
    return null;
  }
  let values = 0;
  for (const t of contents.tensors.values()) {
    expect(t.values.length).toBe(t.shape.reduce((a, b) => a * b, 1));
    expect(t.values.every(Number.isFinite)).toBe(true);
    values += t.values.length;
  }
  expect(4 * values).toBeLessThanOrEqual(bytes.length);
  try {
    checkCheckpointTensors(contents, FILE);
  } catch (error) {
    expectNamedRefusal(error);
  }
  const written = serializeCheckpoint(contents);
  expect(sameBytes(serializeCheckpoint(deserializeCheckpoint(written, FILE)), written)).toBe(true);
  return contents;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Every path to a value inside a JSON value (the value itself is []). */
function jsonPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const paths = [at];
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) paths.push(...jsonPaths(child, [...at, Array.isArray(value) ? Number(key) : key]));
  }
  return paths;
}

const headerPaths = jsonPaths(headerOf(original)).filter((p) => p.length > 0);

/** Values that sit on or just past the schema's edges, and wrong types. */
const edgeValue = fc.oneof(
  fc.constantFrom<unknown>(0, -1, 1, 0.5, -4, 2, 3, 1e9, 2e9, 4e9, 1e300, -1e300, null, true, '', 'abc', 'float64', [], {}, [-1, 8], [0.5], [null]),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Sets (or deletes) the value at `path` in a parsed header. */
function editAt(header: Record<string, unknown>, path: (string | number)[], value: unknown, remove: boolean): Record<string, unknown> {
  let parent = header as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else {
    parent[last] = value;
  }
  return header;
}

describe('checkpoint reader properties', () => {
  it('reads an untouched checkpoint back equal to what was written, and the shipped demo models stably', () => {
    expect(readOrRefuse(original)).toEqual(smallCheckpoint());
    expect(readOrRefuse(smallCheckpointBytes(false))).toEqual(smallCheckpoint(false));
    for (const name of ['pddpm.fqlab', 'pddpm-iqa.fqlab']) {
      const path = fileURLToPath(new URL(`../../public/demo/models/${name}`, import.meta.url));
      const bytes = new Uint8Array(readFileSync(path));
      const contents = deserializeCheckpoint(bytes, path);
      checkCheckpointTensors(contents, path);
      // Once re-saved, a checkpoint reads back to the same contents and re-saves to the same bytes.
      const resaved = serializeCheckpoint(contents);
      expect(deserializeCheckpoint(resaved, path)).toEqual(contents);
      expect(sameBytes(serializeCheckpoint(deserializeCheckpoint(resaved, path)), resaved)).toBe(true);
    }
  });

  it('refuses random bytes, with or without the magic in front', () => {
    const magic = new TextEncoder().encode(CHECKPOINT_MAGIC);
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 512 }), (withMagic, tail) => {
        const bytes = withMagic ? new Uint8Array([...magic, ...tail]) : tail;
        expect(readOrRefuse(bytes)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses every truncation of a checkpoint', () => {
    fc.assert(
      fc.property(fc.nat({ max: original.length - 1 }), (length) => {
        expect(readOrRefuse(original.subarray(0, length))).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('reads or refuses a checkpoint with bytes changed, mostly in its header', () => {
    const headerEnd = 12 + new DataView(original.buffer).getUint32(8, true);
    const position = fc.oneof(fc.nat({ max: headerEnd - 1 }), fc.nat({ max: original.length - 1 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (changes) => {
        const bytes = original.slice();
        for (const [at, value] of changes) bytes[at] = value;
        readOrRefuse(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads or refuses a checkpoint whose JSON header had a value replaced or deleted', () => {
    fc.assert(
      fc.property(fc.nat({ max: headerPaths.length - 1 }), edgeValue, fc.boolean(), (index, value, remove) => {
        readOrRefuse(withHeader(original, (header) => editAt(header, headerPaths[index], value, remove)));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses any other JSON as the header', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (json) => {
        expect(readOrRefuse(withHeader(original, () => json))).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});
