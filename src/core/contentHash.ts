// A fast 64-bit content hash of bytes (cyrb53-style over 32-bit words): the identity of a checkpoint's weights.

/**
 * A hex string that is equal for equal bytes and, with overwhelming odds, different otherwise (not cryptographic:
 * it names content, it does not protect it). About 1 GB/s, so hashing a 150 MB checkpoint is cheap next to loading it.
 * @example contentHash(checkpointBytes); // '1f0c9a33d2b4e870-311204'
 */
export function contentHash(bytes: Uint8Array): string {
  const wordCount = bytes.byteLength >>> 2;
  const words =
    bytes.byteOffset % 4 === 0
      ? new Uint32Array(bytes.buffer, bytes.byteOffset, wordCount)
      : new Uint32Array(bytes.slice(0, wordCount * 4).buffer);
  let h1 = 0xdeadbeef ^ bytes.byteLength;
  let h2 = 0x41c6ce57 ^ bytes.byteLength;
  for (let i = 0; i < wordCount; i++) {
    const w = words[i];
    h1 = Math.imul(h1 ^ w, 2654435761);
    h2 = Math.imul(h2 ^ w, 1597334677);
  }
  for (let i = wordCount * 4; i < bytes.byteLength; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 2654435761);
    h2 = Math.imul(h2 ^ bytes[i], 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hex = (h: number) => (h >>> 0).toString(16).padStart(8, '0');
  return `${hex(h1)}${hex(h2)}-${bytes.byteLength}`;
}
