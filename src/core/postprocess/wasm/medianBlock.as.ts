// AssemblyScript source of BlockMedian (../medianBlock.ts) for WebAssembly with SIMD: the same steps, bit for bit; built by scripts/wasm/build.mjs.
// Buffers live in linear memory at offsets the host sets (medianWasm.ts); windows' bin counts and bitsets are v128 lanes.

/** Ranks per count bin: one bin's bitset is one v128 (4 words of 32 ranks). */
const BIN_SHIFT: i32 = 7;

// Byte offsets of the host's buffers (volume-sized ones first, then the block scratch).
let mapAt: usize = 0;
let workAt: usize = 0;
let outAt: usize = 0;
let xmAt: usize = 0;
let ymAt: usize = 0;
let zmAt: usize = 0;
let rankAt: usize = 0;
let sortedAt: usize = 0;
let keysAt: usize = 0;
let regionAt: usize = 0;
let orderAt: usize = 0;
let orderScratchAt: usize = 0;
let zerosAt: usize = 0;
let digitsAt: usize = 0;
let bitsAt: usize = 0;
let countsAt: usize = 0;
let windowAt: usize = 0;
let rowFirstAt: usize = 0;
let rowLastAt: usize = 0;
let planeCountsAt: usize = 0;
let rowCountsAt: usize = 0;

let nx: i32 = 0;
let ny: i32 = 0;
let nz: i32 = 0;
let size: i32 = 0;
let medianIndex: i32 = 0;
// Per block: region width, bitset words per column, count bytes per column (a multiple of 16).
let width: i32 = 0;
let bitStride: i32 = 0;
let countBytes: i32 = 0;

/** First byte the host may use: the module's own data ends below it. */
export function heapBase(): usize {
  return __heap_base;
}

/** Where the host put each buffer, and the volume's shape and window size. */
export function configure(
  map: usize, work: usize, out: usize, xm: usize, ym: usize, zm: usize,
  rank: usize, sorted: usize, keys: usize, region: usize, order: usize, orderScratch: usize, zeros: usize, digits: usize,
  bits: usize, counts: usize, window: usize, rowFirst: usize, rowLast: usize, planeCounts: usize, rowCounts: usize,
  volumeNx: i32, volumeNy: i32, volumeNz: i32, windowSize: i32,
): void {
  mapAt = map; workAt = work; outAt = out; xmAt = xm; ymAt = ym; zmAt = zm;
  rankAt = rank; sortedAt = sorted; keysAt = keys; regionAt = region; orderAt = order; orderScratchAt = orderScratch;
  zerosAt = zeros; digitsAt = digits; bitsAt = bits; countsAt = counts; windowAt = window;
  rowFirstAt = rowFirst; rowLastAt = rowLast; planeCountsAt = planeCounts; rowCountsAt = rowCounts;
  nx = volumeNx; ny = volumeNy; nz = volumeNz; size = windowSize;
  medianIndex = (windowSize * windowSize * windowSize - 1) / 2;
}

@inline function i32At(base: usize, index: i32): i32 {
  return load<i32>(base + (<usize>index << 2));
}

@inline function setI32(base: usize, index: i32, value: i32): void {
  store<i32>(base + (<usize>index << 2), value);
}

/** Sign counts packed in one u32: positives in the low 16 bits, negatives above (../medianZeros.ts). */
const NEGATIVE: i32 = 1 << 16;

/** Adds (sign 1) or subtracts (sign -1) plane z's sign counts to the plane counts, four voxels at a time. */
function addPlaneSigns(z: i32, sign: i32): void {
  const area = nx * ny;
  const plane = mapAt + (<usize>(z * area) << 2);
  const positive = i32x4.splat(sign);
  const negative = i32x4.splat(sign * NEGATIVE);
  const zero = f32x4.splat(0);
  let q: i32 = 0;
  for (; q + 4 <= area; q += 4) {
    const v = v128.load(plane + (<usize>q << 2));
    const delta = v128.or(v128.and(f32x4.gt(v, zero), positive), v128.and(f32x4.lt(v, zero), negative));
    const at = planeCountsAt + (<usize>q << 2);
    v128.store(at, i32x4.add(v128.load(at), delta));
  }
  for (; q < area; q++) {
    const v = load<f32>(plane + (<usize>q << 2));
    const at = planeCountsAt + (<usize>q << 2);
    if (v > 0) store<i32>(at, load<i32>(at) + sign);
    else if (v < 0) store<i32>(at, load<i32>(at) + sign * NEGATIVE);
  }
}

/** Adds plane row `into` and subtracts plane row `out` (either may be -1: none) to the row counts; whether any is non-zero. */
function moveRowCounts(into: i32, out: i32): bool {
  const intoAt = planeCountsAt + (<usize>(nx * into) << 2);
  const outAt = planeCountsAt + (<usize>(nx * out) << 2);
  let any = i32x4.splat(0);
  let x: i32 = 0;
  for (; x + 4 <= nx; x += 4) {
    const at = rowCountsAt + (<usize>x << 2);
    let counts = v128.load(at);
    if (into >= 0) counts = i32x4.add(counts, v128.load(intoAt + (<usize>x << 2)));
    if (out >= 0) counts = i32x4.sub(counts, v128.load(outAt + (<usize>x << 2)));
    v128.store(at, counts);
    any = v128.or(any, counts);
  }
  let anyTail: i32 = 0;
  for (; x < nx; x++) {
    const at = rowCountsAt + (<usize>x << 2);
    let counts = load<i32>(at);
    if (into >= 0) counts += load<i32>(intoAt + (<usize>x << 2));
    if (out >= 0) counts -= load<i32>(outAt + (<usize>x << 2));
    store<i32>(at, counts);
    anyTail |= counts;
  }
  return v128.any_true(any) || anyTail != 0;
}

/**
 * Marks every voxel whose window may have a non-zero median (work flags, and each row's first and last such voxel, -1
 * if none): ../medianZeros.ts nonZeroMedianWindows, the same box sums of signs, plane by plane, row by row, voxel by voxel.
 */
export function markWork(): void {
  const area = nx * ny;
  const half = (size * size * size - 1) / 2;
  memory.fill(workAt, 0, <usize>(area * nz));
  memory.fill(rowFirstAt, 0xff, <usize>(ny * nz) << 2);
  memory.fill(rowLastAt, 0xff, <usize>(ny * nz) << 2);
  memory.fill(planeCountsAt, 0, <usize>area << 2);
  for (let d: i32 = 0; d < size; d++) addPlaneSigns(i32At(zmAt, d), 1);
  for (let k: i32 = 0; k < nz; k++) {
    if (k > 0 && i32At(zmAt, k - 1) != i32At(zmAt, k + size - 1)) {
      addPlaneSigns(i32At(zmAt, k - 1), -1);
      addPlaneSigns(i32At(zmAt, k + size - 1), 1);
    }
    memory.fill(rowCountsAt, 0, <usize>nx << 2);
    for (let d: i32 = 0; d < size; d++) moveRowCounts(i32At(ymAt, d), -1);
    for (let j: i32 = 0; j < ny; j++) {
      // Background rows: no non-zero voxel in any of their windows.
      const any = j > 0 ? moveRowCounts(i32At(ymAt, j + size - 1), i32At(ymAt, j - 1)) : moveRowCounts(-1, -1);
      if (!any) continue;
      let counts: i32 = 0;
      for (let d: i32 = 0; d < size; d++) counts += i32At(rowCountsAt, i32At(xmAt, d));
      const row = j + ny * k;
      const start = nx * row;
      let first: i32 = -1;
      let last: i32 = -1;
      for (let i: i32 = 0; i < nx; i++) {
        if (i > 0) counts += i32At(rowCountsAt, i32At(xmAt, i + size - 1)) - i32At(rowCountsAt, i32At(xmAt, i - 1));
        if ((counts & 0xffff) > half || <u32>counts >>> 16 > <u32>half) {
          store<u8>(workAt + <usize>(start + i), 1);
          if (first < 0) first = i;
          last = i;
        }
      }
      setI32(rowFirstAt, row, first);
      setI32(rowLastAt, row, last);
    }
  }
}

/** Local ranks of the block's input region: ../medianBlock.ts rankRegion, the same stable LSD radix sort. */
function rankRegion(x0: i32, y0: i32, z0: i32, regionWidth: i32, height: i32, depth: i32): void {
  memory.fill(digitsAt, 0, 3 * 2048 * 4);
  let order = orderAt;
  let orderScratch = orderScratchAt;
  let count: i32 = 0;
  let zeroCount: i32 = 0;
  let negatives: i32 = 0;
  let t: i32 = 0;
  for (let lz: i32 = 0; lz < depth; lz++) {
    for (let ly: i32 = 0; ly < height; ly++) {
      const rowStart = nx * (i32At(ymAt, y0 + ly) + ny * i32At(zmAt, z0 + lz));
      for (let lx: i32 = 0; lx < regionWidth; lx++, t++) {
        const p = rowStart + i32At(xmAt, x0 + lx);
        const bits = load<u32>(mapAt + (<usize>p << 2));
        if ((bits & 0x7fffffff) == 0) {
          setI32(zerosAt, zeroCount++, t);
          continue;
        }
        const negative = bits >>> 31;
        const key: u32 = negative ? ~bits : bits | 0x80000000;
        negatives += <i32>negative;
        store<u32>(keysAt + (<usize>t << 2), key);
        store<u32>(regionAt + (<usize>t << 2), bits);
        setI32(order, count++, t);
        const d0 = digitsAt + (<usize>(key & 2047) << 2);
        store<i32>(d0, load<i32>(d0) + 1);
        const d1 = digitsAt + (<usize>(2048 + ((key >>> 11) & 2047)) << 2);
        store<i32>(d1, load<i32>(d1) + 1);
        const d2 = digitsAt + (<usize>(4096 + (key >>> 22)) << 2);
        store<i32>(d2, load<i32>(d2) + 1);
      }
    }
  }
  for (let pass: i32 = 0; pass < 3 && count > 0; pass++) {
    const shift = <u32>(11 * pass);
    const base = 2048 * pass;
    const firstKey = load<u32>(keysAt + (<usize>i32At(order, 0) << 2));
    if (i32At(digitsAt, base + <i32>((firstKey >>> shift) & 2047)) == count) continue;
    let offset: i32 = 0;
    for (let d = base; d < base + 2048; d++) {
      const c = i32At(digitsAt, d);
      setI32(digitsAt, d, offset);
      offset += c;
    }
    for (let s: i32 = 0; s < count; s++) {
      const local = i32At(order, s);
      const key = load<u32>(keysAt + (<usize>local << 2));
      const slot = digitsAt + (<usize>(base + <i32>((key >>> shift) & 2047)) << 2);
      const at = load<i32>(slot);
      store<i32>(slot, at + 1);
      setI32(orderScratch, at, local);
    }
    const sorted = orderScratch;
    orderScratch = order;
    order = sorted;
  }
  for (let r: i32 = 0; r < negatives; r++) {
    const local = i32At(order, r);
    setI32(rankAt, local, r);
    store<u32>(sortedAt + (<usize>r << 2), load<u32>(regionAt + (<usize>local << 2)));
  }
  for (let z: i32 = 0; z < zeroCount; z++) {
    setI32(rankAt, i32At(zerosAt, z), negatives + z);
    store<u32>(sortedAt + (<usize>(negatives + z) << 2), 0);
  }
  for (let r = negatives; r < count; r++) {
    const local = i32At(order, r);
    setI32(rankAt, local, r + zeroCount);
    store<u32>(sortedAt + (<usize>(r + zeroCount) << 2), load<u32>(regionAt + (<usize>local << 2)));
  }
}

/** Toggles rank r in a column's bitset and adds `delta` to its bin count. */
@inline function flipRank(bits: usize, lanes: usize, r: i32, delta: i32): void {
  const word = bits + (<usize>(r >> 5) << 2);
  store<i32>(word, load<i32>(word) ^ (1 << r));
  const lane = lanes + <usize>(r >> BIN_SHIFT);
  store<u8>(lane, <u8>(<i32>load<u8>(lane) + delta));
}

/** Adds to every region column x the line of `size` voxels x + start + d * lineStride (d < size). */
function addColumns(start: i32, lineStride: i32): void {
  for (let x: i32 = 0; x < width; x++) {
    const bits = bitsAt + (<usize>(x * bitStride) << 2);
    const lanes = countsAt + <usize>(x * countBytes);
    let at = start + x;
    for (let d: i32 = 0; d < size; d++, at += lineStride) flipRank(bits, lanes, i32At(rankAt, at), 1);
  }
}

/** Moves every region column by one line: voxels x + outStart + d * lineStride leave, x + inStart + d * lineStride enter. */
function shiftColumns(outStart: i32, inStart: i32, lineStride: i32): void {
  for (let x: i32 = 0; x < width; x++) {
    const bits = bitsAt + (<usize>(x * bitStride) << 2);
    const lanes = countsAt + <usize>(x * countBytes);
    let out = outStart + x;
    let into = inStart + x;
    for (let d: i32 = 0; d < size; d++, out += lineStride, into += lineStride) {
      flipRank(bits, lanes, i32At(rankAt, out), -1);
      flipRank(bits, lanes, i32At(rankAt, into), 1);
    }
  }
}

/** Window counts of the columns ox .. ox + size - 1 (every lane a count in [0, 128], so 8-bit lanes are exact). */
function sumWindow(ox: i32): void {
  for (let b: i32 = 0; b < countBytes; b += 16) {
    let sum = i8x16.splat(0);
    for (let s: i32 = 0; s < size; s++) sum = i8x16.add(sum, v128.load(countsAt + <usize>((ox + s) * countBytes + b)));
    v128.store(windowAt + <usize>b, sum);
  }
}

/** Slides the window's counts by one column: adds column `entering`, subtracts column `leaving`. */
function slideWindow(leaving: i32, entering: i32): void {
  const into = countsAt + <usize>(entering * countBytes);
  const out = countsAt + <usize>(leaving * countBytes);
  for (let b: i32 = 0; b < countBytes; b += 16) {
    const at = windowAt + <usize>b;
    v128.store(at, i8x16.add(i8x16.sub(v128.load(at), v128.load(out + <usize>b)), v128.load(into + <usize>b)));
  }
}

/** Sum of a vector's 16 unsigned byte lanes. */
@inline function laneSum(counts: v128): i32 {
  const quads = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(counts));
  return i32x4.extract_lane(quads, 0) + i32x4.extract_lane(quads, 1) + i32x4.extract_lane(quads, 2) + i32x4.extract_lane(quads, 3);
}

/** Position of the need-th (0-based) set bit of a word. */
@inline function nthBit(word: i32, need: i32): i32 {
  let bits = word;
  for (let n = need; n > 0; n--) bits &= bits - 1;
  return ctz(bits);
}

/** The medianIndex-th smallest value of the window at columns ox .. ox + size - 1. */
function median(ox: i32): f32 {
  let need = medianIndex;
  let b: i32 = 0;
  for (;;) {
    const c = laneSum(v128.load(windowAt + <usize>b));
    if (need < c) break;
    need -= c;
    b += 16;
  }
  let bin = b;
  for (;;) {
    const c = <i32>load<u8>(windowAt + <usize>bin);
    if (need < c) break;
    need -= c;
    bin++;
  }
  // The union of the window's column bitsets in that bin: one v128 per column.
  const first = bitsAt + (<usize>(ox * bitStride + (bin << 2)) << 2);
  const stride = <usize>bitStride << 2;
  let union = v128.load(first);
  for (let s: i32 = 1; s < size; s++) union = v128.or(union, v128.load(first + <usize>s * stride));
  const counts = i8x16.popcnt(union);
  const quads = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(counts));
  let word: i32 = 0;
  let bits = i32x4.extract_lane(union, 0);
  let c = i32x4.extract_lane(quads, 0);
  if (need >= c) {
    need -= c;
    word = 1;
    bits = i32x4.extract_lane(union, 1);
    c = i32x4.extract_lane(quads, 1);
    if (need >= c) {
      need -= c;
      word = 2;
      bits = i32x4.extract_lane(union, 2);
      c = i32x4.extract_lane(quads, 2);
      if (need >= c) {
        need -= c;
        word = 3;
        bits = i32x4.extract_lane(union, 3);
      }
    }
  }
  const rank = (((bin << 2) + word) << 5) + nthBit(bits, need);
  return load<f32>(sortedAt + (<usize>rank << 2));
}

/**
 * Writes the median of every voxel of the block [x0, x0 + bx) x [y0, y0 + by) x [z0, z0 + bz) whose work flag is set
 * into the output buffer: ../medianBlock.ts filter, the same snake through the block.
 */
export function filter(x0: i32, y0: i32, z0: i32, bx: i32, by: i32, bz: i32): void {
  width = bx + size - 1;
  const height = by + size - 1;
  const plane = width * height;
  const regionSize = plane * (bz + size - 1);
  rankRegion(x0, y0, z0, width, height, bz + size - 1);
  const bins = (regionSize >> BIN_SHIFT) + 1;
  bitStride = bins << 2;
  countBytes = (bins + 15) & ~15;
  memory.fill(bitsAt, 0, <usize>(width * bitStride) << 2);
  memory.fill(countsAt, 0, <usize>(width * countBytes));
  for (let d: i32 = 0; d < size; d++) addColumns(plane * d, width);

  let ox: i32 = 0;
  let oy: i32 = 0;
  let stepX: i32 = 1;
  let stepY: i32 = 1;
  for (let oz: i32 = 0; oz < bz; oz++) {
    if (oz > 0) shiftColumns(width * (oy + height * (oz - 1)), width * (oy + height * (oz + size - 1)), width);
    for (let row: i32 = 0; row < by; row++) {
      if (row > 0) {
        const from = stepY > 0 ? oy : oy + size - 1;
        oy += stepY;
        const into = stepY > 0 ? oy + size - 1 : oy;
        shiftColumns(width * (from + height * oz), width * (into + height * oz), plane);
      }
      sumWindow(ox);
      for (let col: i32 = 0; ; col++) {
        const p = x0 + ox + nx * (y0 + oy + ny * (z0 + oz));
        if (load<u8>(workAt + <usize>p) != 0) store<f32>(outAt + (<usize>p << 2), median(ox));
        if (col == bx - 1) break;
        const leaving = stepX > 0 ? ox : ox + size - 1;
        ox += stepX;
        slideWindow(leaving, stepX > 0 ? ox + size - 1 : ox);
      }
      stepX = -stepX;
    }
    stepY = -stepY;
  }
}
