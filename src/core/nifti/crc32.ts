// CRC-32 (IEEE 802.3, the checksum in every gzip trailer), slicing-by-8 so checking a volume costs less than inflating it.

/** 8 tables of 256 entries: table t gives the CRC of a byte followed by t zero bytes. */
const TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[256 * k + n] = (t[256 * (k - 1) + n] >>> 8) ^ t[t[256 * (k - 1) + n] & 255];
  }
  return t;
})();

/**
 * The CRC-32 of everything seen so far, given the CRC of what came before `bytes` (0 to start).
 * @example
 * crc32(crc32(0, firstChunk), secondChunk) === crc32(0, bothChunks);
 */
export function crc32(previous: number, bytes: Uint8Array): number {
  const t = TABLES;
  let c = ~previous;
  let i = 0;
  for (const last = bytes.length - 8; i <= last; i += 8) {
    const low = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c = t[1792 + (low & 255)] ^ t[1536 + ((low >>> 8) & 255)] ^ t[1280 + ((low >>> 16) & 255)] ^ t[1024 + (low >>> 24)] ^
      t[768 + bytes[i + 4]] ^ t[512 + bytes[i + 5]] ^ t[256 + bytes[i + 6]] ^ t[bytes[i + 7]];
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}
