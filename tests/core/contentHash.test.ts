// Tests the content hash that names a checkpoint's weights: equal bytes, equal id; any changed byte, another id.
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../src/core/contentHash.ts';

describe('contentHash', () => {
  it('is equal for equal bytes wherever they sit in memory, and changes with any byte', () => {
    const bytes = Uint8Array.from({ length: 4099 }, (_, i) => (i * 37) % 256);
    const unaligned = new Uint8Array(bytes.length + 1);
    unaligned.set(bytes, 1);
    expect(contentHash(unaligned.subarray(1))).toBe(contentHash(bytes));
    const seen = new Set([contentHash(bytes)]);
    for (const at of [0, 1, 2048, 4096, 4098]) {
      const changed = bytes.slice();
      changed[at] ^= 1;
      seen.add(contentHash(changed));
    }
    seen.add(contentHash(bytes.subarray(0, 4098)));
    expect(seen.size).toBe(7);
  });
});
