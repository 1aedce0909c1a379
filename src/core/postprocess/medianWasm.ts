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
    // Bytes of each buffer, in the order configure() takes their offsets.
    const sizes = {
      map: 4 * map.length,
      work: map.length,
      out: 4 * map.length,
      xm: 4 * reflected[0].length,
      ym: 4 * reflected[1].length,
      zm: 4 * reflected[2].length,
      rank: 4 * capacity,
      sortedValues: 4 * capacity,
      keys: 4 * capacity,
      regionValues: 4 * capacity,
      order: 4 * capacity,
      orderScratch: 4 * capacity,
      zeros: 4 * capacity,
      radixDigitCounts: 4 * 3 * 2048,
      columnBits: 4 * maxWidth * bins * 4, // one v128 per bin
      columnCounts: maxWidth * countBytes,
      windowCounts: countBytes,
      rowFirst: 4 * ny * nz,
      rowLast: 4 * ny * nz,
      planeSignCounts: 4 * nx * ny,
      rowSignCounts: 4 * nx,
    };
    const at = {} as Record<keyof typeof sizes, number>;
    let end = aligned(this.exports.heapBase());
    for (const [name, bytes] of Object.entries(sizes) as [keyof typeof sizes, number][]) {
      at[name] = end;
      end += aligned(bytes);
    }
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE_BYTES));
    const heap = memory.buffer;
    new Float32Array(heap, at.map, map.length).set(map);
    new Float32Array(heap, at.out, map.length).fill(0);
    [at.xm, at.ym, at.zm].forEach((offset, axis) => new Int32Array(heap, offset, reflected[axis].length).set(reflected[axis]));
    this.exports.configure(...Object.values(at), nx, ny, nz, size);
    this.exports.markWork();
    this.rowFirst = new Int32Array(heap, at.rowFirst, ny * nz);
    this.rowLast = new Int32Array(heap, at.rowLast, ny * nz);
    this.outAt = at.out;
    this.length = map.length;
  }

  filter(x0: number, y0: number, z0: number, bx: number, by: number, bz: number): void {
    this.exports.filter(x0, y0, z0, bx, by, bz);
  }

  result(): Float32Array {
    return new Float32Array(this.exports.memory.buffer, this.outAt, this.length).slice();
  }
}
