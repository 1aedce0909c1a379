// AssemblyScript source of the strided run copy behind the engine's Concat, Slice, SplitV and Unpack on tfjs's WASM
// memory (../wasmCopyKernels.ts links it there); built by scripts/wasm/build.mjs with an imported memory and no data.

/**
 * Copies `count` runs of `runBytes` bytes: run r from src + r * srcStride to dst + r * dstStride (byte offsets).
 * 16 bytes per SIMD move, then 4-byte words and single bytes for the tail; runs must not overlap.
 */
export function copyRuns(src: usize, srcStride: usize, dst: usize, dstStride: usize, runBytes: usize, count: i32): void {
  const vectorBytes = runBytes & ~(<usize>15);
  const wordBytes = runBytes & ~(<usize>3);
  for (let r = 0; r < count; r++) {
    let at: usize = 0;
    for (; at < vectorBytes; at += 16) v128.store(dst + at, v128.load(src + at));
    for (; at < wordBytes; at += 4) store<u32>(dst + at, load<u32>(src + at));
    for (; at < runBytes; at++) store<u8>(dst + at, load<u8>(src + at));
    src += srcStride;
    dst += dstStride;
  }
}
