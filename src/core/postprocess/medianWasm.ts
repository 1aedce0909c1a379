// The block median's WebAssembly SIMD build (wasm/medianBlock.as.ts): the same medians as BlockMedian, bit for bit, in linear memory.
import type { Dims3 } from '../volume.ts';
import type { MedianBlocks } from './medianBlock.ts';
import { MEDIAN_BLOCK_WASM_BASE64 } from './wasm/medianBlockWasm.ts';

interface MedianBlockExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  configure(...offsetsAndShape: number[]): void;
  markWork(): void;
  filter(x0: number, y0: number, z0: number, bx: number, by: number, bz: number): void;
}

/** Undefined until first asked for; null where WebAssembly SIMD is missing (the caller then uses BlockMedian). */
let kernel: MedianBlockExports | null | undefined;

function instantiate(): MedianBlockExports | null {
  try {
    const bytes = Uint8Array.from(atob(MEDIAN_BLOCK_WASM_BASE64), (c) => c.charCodeAt(0));
    // 2.5 kB: small enough to compile synchronously even on a browser's main thread.
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as MedianBlockExports;
  } catch {
    return null;
  }
}

/** Whether this runtime can run the WebAssembly SIMD kernel (compiled once per thread). */
export function medianWasmAvailable(): boolean {
  if (kernel === undefined) kernel = instantiate();
  return kernel !== null;
}

const PAGE_BYTES = 65536;

/** Rounds a byte count up to a multiple of 16, the alignment of every buffer (v128 loads). */
function aligned(bytes: number): number {
  return (bytes + 15) & ~15;
}

/**
 * One filter run in the kernel's memory: the map, work flags and output for the whole volume, then the block scratch
 * sized for maxBlock. Which voxels need a median is marked there too (as nonZeroMedianWindows does). The memory is the
 * thread's one instance's, reused by the next run; runs do not overlap (a thread is single-threaded and a run is
 * synchronous).
 */
export class WasmBlockMedian implements MedianBlocks {
  readonly rowFirst: Int32Array;
  readonly rowLast: Int32Array;
  private readonly exports: MedianBlockExports;
  private readonly outAt: number;
  private readonly length: number;

  constructor(map: Float32Array, dims: Dims3, size: number, reflected: readonly [Int32Array, Int32Array, Int32Array], maxBlock: Dims3) {
    if (!medianWasmAvailable() || !kernel) throw new Error('WasmBlockMedian: WebAssembly SIMD is not available here');
    this.exports = kernel;
    const [nx, ny, nz] = dims;
    const maxWidth = maxBlock[0] + size - 1;
    const capacity = maxWidth * (maxBlock[1] + size - 1) * (maxBlock[2] + size - 1);
    const bins = (capacity >> 7) + 1;
    const countBytes = aligned(bins);
    const sizes = [
      4 * map.length, // map
      map.length, // work flags
      4 * map.length, // out
      4 * reflected[0].length,
      4 * reflected[1].length,
      4 * reflected[2].length,
      ...Array<number>(7).fill(4 * capacity), // rank, sorted values, keys, region values, order, order scratch, zeros
      4 * 3 * 2048, // radix digit counts
      4 * maxWidth * bins * 4, // column bitsets: one v128 per bin
      maxWidth * countBytes, // column bin counts
      countBytes, // window bin counts
      4 * ny * nz, // each row's first voxel needing a median
      4 * ny * nz, // and its last
      4 * nx * ny, // plane sign counts
      4 * nx, // row sign counts
    ];
    const offsets: number[] = [];
    let end = aligned(this.exports.heapBase());
    for (const bytes of sizes) {
      offsets.push(end);
      end += aligned(bytes);
    }
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE_BYTES));
    const heap = memory.buffer;
    new Float32Array(heap, offsets[0], map.length).set(map);
    new Float32Array(heap, offsets[2], map.length).fill(0);
    reflected.forEach((indices, axis) => new Int32Array(heap, offsets[3 + axis], indices.length).set(indices));
    this.exports.configure(...offsets, nx, ny, nz, size);
    this.exports.markWork();
    this.rowFirst = new Int32Array(heap, offsets[17], ny * nz);
    this.rowLast = new Int32Array(heap, offsets[18], ny * nz);
    this.outAt = offsets[2];
    this.length = map.length;
  }

  filter(x0: number, y0: number, z0: number, bx: number, by: number, bz: number): void {
    this.exports.filter(x0, y0, z0, bx, by, bz);
  }

  result(): Float32Array {
    return new Float32Array(this.exports.memory.buffer, this.outAt, this.length).slice();
  }
}
