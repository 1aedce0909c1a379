// Exact medians of all windows in one block of a volume: the block's values sorted once, windows as column counts.
import type { Dims3 } from '../volume.ts';
import type { MedianWork } from './medianZeros.ts';

/** A volume's median filter run block by block: which rows need medians, the blocks' filtering, the result. */
export interface MedianBlocks {
  /** Per row (j + ny * k), the first and last voxel whose median is needed (-1 if none); the rest stay 0. */
  readonly rowFirst: Int32Array;
  readonly rowLast: Int32Array;
  /** Writes the median of every voxel of the block [x0, x0 + bx) x [y0, y0 + by) x [z0, z0 + bz) that needs one. */
  filter(x0: number, y0: number, z0: number, bx: number, by: number, bz: number): void;
  /** The filtered volume (zeros where no median was needed). */
  result(): Float32Array;
}

/** Ranks per count bin (2^7): the median's bin is found from counts, its place in the bin from bitsets. */
const BIN_SHIFT = 7;
/** Bitset words (32 ranks each) per bin. */
const WORDS_PER_BIN = 1 << (BIN_SHIFT - 5);

/** Set bits in a 32-bit word. */
function popcount(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Index of the lowest set bit of a non-zero word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/**
 * Median filter of one block at a time, exactly. The block's input region (the block grown by the window radius,
 * borders reflected) is sorted once, so its voxels get distinct ranks 0..R-1. For the
 * current row of windows, every region column x (the size x size voxels of the window's y and z extent) keeps a
 * bitset of its ranks and counts per bin of 128 ranks, four 8-bit counts per int32 (Perreault-Hebert's column
 * histograms): sliding one voxel along x adds one column's counts and subtracts another's, a few int32 additions,
 * and the median is found by summing bin counts, then reading the union of the window's column bitsets in that
 * bin. Stepping to the next row or plane moves every column by one line of voxels. The window snakes through the
 * block so that every step is one of these moves.
 */
export class BlockMedian implements MedianBlocks {
  readonly rowFirst: Int32Array;
  readonly rowLast: Int32Array;
  private readonly work: Uint8Array;
  private readonly medianIndex: number;
  private readonly mapBits: Uint32Array;
  // Per input-region voxel (local index lx + width * (ly + height * lz)): its rank in the region.
  private readonly rank: Int32Array;
  // Region values by rank in the region.
  private readonly sortedValues: Float32Array;
  // Sort buffers, by local index: order keys and values; local indices in (partially) sorted order; zeros.
  private readonly keys: Uint32Array;
  private readonly regionValues: Float32Array;
  private readonly order: Int32Array;
  private readonly orderScratch: Int32Array;
  private readonly zeroPositions: Int32Array;
  private readonly digitCounts = new Int32Array(3 * 2048);
  // Column x's rank bitset at columnBits[x * bitStride ..] and bin counts at columnCounts[x * countStride ..]
  // (as int32 words holding four counts each; columnCountLanes is the same memory as 8-bit counts). A bin holds
  // at most 128 distinct ranks, so no count exceeds 128 and every lane fits in a byte.
  private readonly columnBits: Int32Array;
  private readonly columnCounts: Int32Array;
  private readonly columnCountLanes: Uint8Array;
  private readonly windowCounts: Int32Array;
  private readonly windowCountLanes: Uint8Array;
  private width = 0;
  private bitStride = 0;
  private countStride = 0;

  private readonly out: Float32Array;

  constructor(
    private readonly map: Float32Array,
    marked: MedianWork,
    private readonly dims: Dims3,
    private readonly size: number,
    private readonly reflected: readonly [Int32Array, Int32Array, Int32Array],
    maxBlock: Dims3,
  ) {
    this.out = new Float32Array(map.length);
    ({ work: this.work, rowFirst: this.rowFirst, rowLast: this.rowLast } = marked);
    this.medianIndex = (size * size * size - 1) / 2;
    this.mapBits = new Uint32Array(map.buffer, map.byteOffset, map.length);
    const maxWidth = maxBlock[0] + size - 1;
    const capacity = maxWidth * (maxBlock[1] + size - 1) * (maxBlock[2] + size - 1);
    this.rank = new Int32Array(capacity);
    this.sortedValues = new Float32Array(capacity);
    this.keys = new Uint32Array(capacity);
    this.regionValues = new Float32Array(capacity);
    this.order = new Int32Array(capacity);
    this.orderScratch = new Int32Array(capacity);
    this.zeroPositions = new Int32Array(capacity);
    const bins = (capacity >> BIN_SHIFT) + 1;
    const countWords = (bins + 3) >> 2;
    this.columnBits = new Int32Array(maxWidth * bins * WORDS_PER_BIN);
    this.columnCounts = new Int32Array(maxWidth * countWords);
    this.columnCountLanes = new Uint8Array(this.columnCounts.buffer);
    this.windowCounts = new Int32Array(countWords);
    this.windowCountLanes = new Uint8Array(this.windowCounts.buffer);
  }

  filter(x0: number, y0: number, z0: number, bx: number, by: number, bz: number): void {
    const { size, work, out } = this;
    const [nx, ny] = this.dims;
    const width = bx + size - 1;
    const height = by + size - 1;
    const plane = width * height;
    const regionSize = plane * (bz + size - 1);
    this.width = width;
    this.rankRegion(x0, y0, z0, width, height, bz + size - 1);
    const bins = (regionSize >> BIN_SHIFT) + 1;
    this.bitStride = bins * WORDS_PER_BIN;
    this.countStride = (bins + 3) >> 2;
    this.columnBits.fill(0, 0, width * this.bitStride);
    this.columnCounts.fill(0, 0, width * this.countStride);
    for (let d = 0; d < size; d++) this.addColumns(plane * d, width);

    // Snake: along x, then one step in y (x reverses), then one step in z (y reverses).
    let ox = 0;
    let oy = 0;
    let stepX = 1;
    let stepY = 1;
    for (let oz = 0; oz < bz; oz++) {
      if (oz > 0) this.shiftColumns(width * (oy + height * (oz - 1)), width * (oy + height * (oz + size - 1)), width);
      for (let row = 0; row < by; row++) {
        if (row > 0) {
          const from = stepY > 0 ? oy : oy + size - 1;
          oy += stepY;
          const into = stepY > 0 ? oy + size - 1 : oy;
          this.shiftColumns(width * (from + height * oz), width * (into + height * oz), plane);
        }
        this.sumWindow(ox);
        for (let col = 0; ; col++) {
          const p = x0 + ox + nx * (y0 + oy + ny * (z0 + oz));
          if (work[p] !== 0) out[p] = this.median(ox);
          if (col === bx - 1) break;
          const leaving = stepX > 0 ? ox : ox + size - 1;
          ox += stepX;
          this.slideWindow(leaving, stepX > 0 ? ox + size - 1 : ox);
        }
        stepX = -stepX;
      }
      stepY = -stepY;
    }
  }

  result(): Float32Array {
    return this.out;
  }

  /**
   * Gives every voxel of the input region a distinct local rank: an LSD radix sort of the non-zero values' order
   * keys (3 passes of 11 bits, a pass skipped when all keys share its digit), stable, so equal values are ordered by
   * position. Zeros, often much of a masked map, skip the sort: they rank after the negatives, in position order.
   */
  private rankRegion(x0: number, y0: number, z0: number, width: number, height: number, depth: number): void {
    const { map, mapBits, digitCounts, keys, regionValues, zeroPositions } = this;
    const [nx, ny] = this.dims;
    const [xm, ym, zm] = this.reflected;
    digitCounts.fill(0);
    let order = this.order;
    let orderScratch = this.orderScratch;
    let count = 0;
    let zeroCount = 0;
    let negatives = 0;
    for (let lz = 0, t = 0; lz < depth; lz++) {
      for (let ly = 0; ly < height; ly++) {
        const rowStart = nx * (ym[y0 + ly] + ny * zm[z0 + lz]);
        for (let lx = 0; lx < width; lx++, t++) {
          const p = rowStart + xm[x0 + lx];
          const bits = mapBits[p];
          if ((bits & 0x7fffffff) === 0) {
            zeroPositions[zeroCount++] = t;
            continue;
          }
          // Order key: negative floats with every bit flipped, others with the sign bit set.
          const negative = bits >>> 31;
          const key = (negative ? ~bits : bits | 0x80000000) >>> 0;
          negatives += negative;
          keys[t] = key;
          regionValues[t] = map[p];
          order[count++] = t;
          digitCounts[key & 2047]++;
          digitCounts[2048 + ((key >>> 11) & 2047)]++;
          digitCounts[4096 + (key >>> 22)]++;
        }
      }
    }
    for (let pass = 0; pass < 3 && count > 0; pass++) {
      const shift = 11 * pass;
      const base = 2048 * pass;
      // A digit all keys share would not reorder anything.
      if (digitCounts[base + ((keys[order[0]] >>> shift) & 2047)] === count) continue;
      let offset = 0;
      for (let d = base; d < base + 2048; d++) {
        const c = digitCounts[d];
        digitCounts[d] = offset;
        offset += c;
      }
      for (let s = 0; s < count; s++) {
        const local = order[s];
        orderScratch[digitCounts[base + ((keys[local] >>> shift) & 2047)]++] = local;
      }
      const sorted = orderScratch;
      orderScratch = order;
      order = sorted;
    }
    const { rank, sortedValues } = this;
    for (let r = 0; r < negatives; r++) {
      const local = order[r];
      rank[local] = r;
      sortedValues[r] = regionValues[local];
    }
    for (let z = 0; z < zeroCount; z++) {
      rank[zeroPositions[z]] = negatives + z;
      sortedValues[negatives + z] = 0;
    }
    for (let r = negatives; r < count; r++) {
      const local = order[r];
      rank[local] = r + zeroCount;
      sortedValues[r + zeroCount] = regionValues[local];
    }
  }

  /** Adds to every region column x the line of `size` voxels x + start + d * lineStride (d < size). */
  private addColumns(start: number, lineStride: number): void {
    const { rank, columnBits, columnCountLanes, size, width, bitStride } = this;
    const laneStride = 4 * this.countStride;
    for (let x = 0; x < width; x++) {
      const bits = x * bitStride;
      const lanes = x * laneStride;
      for (let at = start + x, d = 0; d < size; d++, at += lineStride) {
        const r = rank[at];
        columnBits[bits + (r >> 5)] ^= 1 << r;
        columnCountLanes[lanes + (r >> BIN_SHIFT)]++;
      }
    }
  }

  /**
   * Moves every region column by one line of `size` voxels: for column x, the line of voxels x + outStart +
   * d * lineStride (d < size) leaves and x + inStart + d * lineStride enters.
   */
  private shiftColumns(outStart: number, inStart: number, lineStride: number): void {
    const { rank, columnBits, columnCountLanes, size, width, bitStride } = this;
    const laneStride = 4 * this.countStride;
    for (let x = 0; x < width; x++) {
      const bits = x * bitStride;
      const lanes = x * laneStride;
      for (let out = outStart + x, into = inStart + x, d = 0; d < size; d++, out += lineStride, into += lineStride) {
        const leaving = rank[out];
        const entering = rank[into];
        columnBits[bits + (leaving >> 5)] ^= 1 << leaving;
        columnCountLanes[lanes + (leaving >> BIN_SHIFT)]--;
        columnBits[bits + (entering >> 5)] ^= 1 << entering;
        columnCountLanes[lanes + (entering >> BIN_SHIFT)]++;
      }
    }
  }

  /** Window counts of the columns ox .. ox + size - 1. */
  private sumWindow(ox: number): void {
    const { columnCounts, windowCounts, countStride, size } = this;
    windowCounts.fill(0, 0, countStride);
    for (let s = 0; s < size; s++) {
      const column = (ox + s) * countStride;
      // Every lane of the result is a count in [0, 128], so packed int32 arithmetic is exact lane by lane.
      for (let w = 0; w < countStride; w++) windowCounts[w] = (windowCounts[w] + columnCounts[column + w]) | 0;
    }
  }

  /** Slides the window's counts by one column: adds column `entering`, subtracts column `leaving`. */
  private slideWindow(leaving: number, entering: number): void {
    const { columnCounts, windowCounts, countStride } = this;
    const into = entering * countStride;
    const out = leaving * countStride;
    // Exact lane by lane: each resulting lane is a count in [0, 128].
    for (let w = 0; w < countStride; w++) windowCounts[w] = (windowCounts[w] - columnCounts[out + w] + columnCounts[into + w]) | 0;
  }

  /** The medianIndex-th smallest value of the window at columns ox .. ox + size - 1. */
  private median(ox: number): number {
    const { windowCounts, windowCountLanes, columnBits, bitStride, size } = this;
    let need = this.medianIndex;
    // The four bins holding it (an int32 of four 8-bit counts), then the bin.
    let w = 0;
    for (;;) {
      const word = windowCounts[w];
      const pairs = (word & 0x00ff00ff) + ((word >>> 8) & 0x00ff00ff);
      const c = (pairs & 0xffff) + (pairs >>> 16);
      if (need < c) break;
      need -= c;
      w++;
    }
    let bin = 4 * w;
    while (need >= windowCountLanes[bin]) need -= windowCountLanes[bin++];
    // Its place among the window's ranks in the bin: the union of the window's column bitsets, word by word.
    const first = ox * bitStride + bin * WORDS_PER_BIN;
    for (let word = 0; word < WORDS_PER_BIN; word++) {
      let bits = 0;
      for (let s = 0, at = first + word; s < size; s++, at += bitStride) bits |= columnBits[at];
      const c = popcount(bits);
      if (need < c) {
        for (; need > 0; need--) bits &= bits - 1;
        return this.sortedValues[((bin * WORDS_PER_BIN + word) << 5) + lowestBit(bits)];
      }
      need -= c;
    }
    throw new Error('BlockMedian: window counts and bitsets disagree');
  }
}
