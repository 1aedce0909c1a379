// AssemblyScript source of the Winograd F(4x4, 3x3) transforms for WebAssembly SIMD, run in place on tfjs's WASM memory
// (../wasmWinogradConv.ts links it there and runs the 36 products through XNNPACK); built by scripts/wasm/build.mjs with an
// imported memory and no data of its own.
//
// A 3x3 stride-1 convolution is cut into 4x4 output tiles, each read from a 6x6 input patch (Lavin & Gray 2016, points
// 0, +-1, +-2 and infinity). For each of the 36 points p = 6i + j of the transformed tile:
//   V_p = (B^T d B)_p per tile and input channel,  U_p = (G g G^T)_p per input and output channel,
//   M_p = V_p x U_p  (one [tiles, cin] x [cin, cout] product),  y = A^T M A per tile and output channel.
// The filter gradient is the adjoint: dU_p = V_p^T x (A dy A^T)_p, dg = G^T dU G.
// Every pass works on four channels at once (one v128) of one tile; the 36 point matrices are separate tensors, reached
// through a table of 36 byte offsets the host writes into scratch memory. Multiplications by 2, 4 and 8 are additions
// (exact, and V8 would rebuild a v128 constant inside each loop).

/**
 * Scratch bytes a call needs: a 6x6 block of v128s (a zero-padded patch, or gathered points), a 6x6 block of intermediate
 * rows, and two tables of byte offsets that address those blocks the way the point table addresses the point matrices.
 */
export const SCRATCH_BYTES: i32 = 2 * 36 * 16 + (6 + 9) * 4;
const PATCH = 0;
const ROWS = 36 * 16;
/** ROW_TABLE[i]: row i of ROWS; PATCH_TABLE[k]: v128 k of PATCH. */
const ROW_TABLE = 2 * 36 * 16;
const PATCH_TABLE = ROW_TABLE + 6 * 4;
/** Byte stride between rows of a 6-wide block of v128s. */
const BLOCK_ROW = 6 * 16;

@inline function twice(a: v128): v128 {
  return f32x4.add(a, a);
}

/** Entry `index` of a table of byte offsets. */
@inline function entry(table: usize, index: i32): usize {
  return <usize>load<u32>(table + (<usize>index << 2));
}

/*
 * Each transform below multiplies one small matrix into v128s read at src + k * stride and stores result r at
 * entry(table, first + r) + at: a point's matrix, a row of scratch, or a filter tap.
 */

/** B^T (6x6) of a 6x6 patch's column or row. */
@inline function inputRows(src: usize, stride: usize, table: usize, first: i32, at: usize): void {
  const d0 = v128.load(src);
  const d1 = v128.load(src + stride);
  const d2 = v128.load(src + 2 * stride);
  const d3 = v128.load(src + 3 * stride);
  const d4 = v128.load(src + 4 * stride);
  const d5 = v128.load(src + 5 * stride);
  const d4m2 = f32x4.sub(d4, d2);
  const d3m1 = twice(f32x4.sub(d3, d1));
  v128.store(entry(table, first) + at, f32x4.add(twice(twice(f32x4.sub(d0, d2))), d4m2));
  v128.store(entry(table, first + 1) + at, f32x4.sub(f32x4.add(d3, d4), twice(twice(f32x4.add(d1, d2)))));
  v128.store(entry(table, first + 2) + at, f32x4.add(f32x4.sub(d4, d3), twice(twice(f32x4.sub(d1, d2)))));
  v128.store(entry(table, first + 3) + at, f32x4.add(d4m2, d3m1));
  v128.store(entry(table, first + 4) + at, f32x4.sub(d4m2, d3m1));
  v128.store(entry(table, first + 5) + at, f32x4.add(twice(twice(f32x4.sub(d1, d3))), f32x4.sub(d5, d3)));
}

/** A^T (4x6) of six transformed points. */
@inline function outputRows(src: usize, stride: usize, table: usize, first: i32, at: usize): void {
  const m1 = v128.load(src + stride);
  const m2 = v128.load(src + 2 * stride);
  const m3 = v128.load(src + 3 * stride);
  const m4 = v128.load(src + 4 * stride);
  const s12 = f32x4.add(m1, m2);
  const s34 = f32x4.add(m3, m4);
  const d12 = f32x4.sub(m1, m2);
  const d34 = f32x4.sub(m3, m4);
  v128.store(entry(table, first) + at, f32x4.add(f32x4.add(v128.load(src), s12), s34));
  v128.store(entry(table, first + 1) + at, f32x4.add(d12, twice(d34)));
  v128.store(entry(table, first + 2) + at, f32x4.add(s12, twice(twice(s34))));
  v128.store(entry(table, first + 3) + at, f32x4.add(f32x4.add(d12, twice(twice(twice(d34)))), v128.load(src + 5 * stride)));
}

/** A (6x4), the adjoint of A^T, of four output-gradient values. */
@inline function adjointRows(src: usize, stride: usize, table: usize, first: i32, at: usize): void {
  const y0 = v128.load(src);
  const y1 = v128.load(src + stride);
  const y2 = v128.load(src + 2 * stride);
  const y3 = v128.load(src + 3 * stride);
  const even = f32x4.add(y0, y2);
  const odd = f32x4.add(y1, y3);
  const evenWide = f32x4.add(y0, twice(twice(y2)));
  const oddWide = twice(f32x4.add(y1, twice(twice(y3))));
  v128.store(entry(table, first) + at, y0);
  v128.store(entry(table, first + 1) + at, f32x4.add(even, odd));
  v128.store(entry(table, first + 2) + at, f32x4.sub(even, odd));
  v128.store(entry(table, first + 3) + at, f32x4.add(evenWide, oddWide));
  v128.store(entry(table, first + 4) + at, f32x4.sub(evenWide, oddWide));
  v128.store(entry(table, first + 5) + at, y3);
}

/** G (6x3) of three filter taps. */
@inline function filterRows(src: usize, stride: usize, table: usize, first: i32, at: usize): void {
  const g0 = v128.load(src);
  const g1 = v128.load(src + stride);
  const g2 = v128.load(src + 2 * stride);
  const sixth = f32x4.splat(<f32>(1.0 / 6.0));
  const outer = f32x4.add(g0, g2);
  const quarterG0 = f32x4.mul(g0, f32x4.splat(0.25));
  // u3, u4 = g0 / 24 +- g1 / 12 + g2 / 6 = (g0 / 4 +- g1 / 2 + g2) / 6
  const wide = f32x4.add(quarterG0, g2);
  const half = f32x4.mul(g1, f32x4.splat(0.5));
  v128.store(entry(table, first) + at, quarterG0);
  v128.store(entry(table, first + 1) + at, f32x4.neg(f32x4.mul(f32x4.add(outer, g1), sixth)));
  v128.store(entry(table, first + 2) + at, f32x4.neg(f32x4.mul(f32x4.sub(outer, g1), sixth)));
  v128.store(entry(table, first + 3) + at, f32x4.mul(f32x4.add(wide, half), sixth));
  v128.store(entry(table, first + 4) + at, f32x4.mul(f32x4.sub(wide, half), sixth));
  v128.store(entry(table, first + 5) + at, g2);
}

/** G^T (3x6) of six transformed points: rows [1/4, -1/6, -1/6, 1/24, 1/24, 0], [0, -1/6, 1/6, 1/12, -1/12, 0], [0, -1/6, -1/6, 1/6, 1/6, 1]. */
@inline function filterGradientRows(src: usize, stride: usize, table: usize, first: i32, at: usize): void {
  const u0 = v128.load(src);
  const u1 = v128.load(src + stride);
  const u2 = v128.load(src + 2 * stride);
  const u3 = v128.load(src + 3 * stride);
  const u4 = v128.load(src + 4 * stride);
  const u5 = v128.load(src + 5 * stride);
  const sixth = f32x4.splat(<f32>(1.0 / 6.0));
  const s12 = f32x4.add(u1, u2);
  const s34 = f32x4.add(u3, u4);
  const quarter = f32x4.splat(0.25);
  v128.store(entry(table, first) + at, f32x4.add(f32x4.mul(u0, quarter), f32x4.mul(f32x4.sub(f32x4.mul(s34, quarter), s12), sixth)));
  v128.store(entry(table, first + 1) + at, f32x4.mul(f32x4.sub(f32x4.mul(f32x4.sub(u3, u4), f32x4.splat(0.5)), f32x4.sub(u1, u2)), sixth));
  v128.store(entry(table, first + 2) + at, f32x4.add(f32x4.mul(f32x4.sub(s34, s12), sixth), u5));
}

/** Fills the scratch tables. */
function initTables(scratch: usize): void {
  for (let i = 0; i < 6; i++) store<u32>(scratch + ROW_TABLE + (<usize>i << 2), <u32>(scratch + ROWS + <usize>i * BLOCK_ROW));
  for (let k = 0; k < 9; k++) store<u32>(scratch + PATCH_TABLE + (<usize>k << 2), <u32>(scratch + PATCH + (<usize>k << 4)));
}

/** Copies a patch's `height` x `width` window at (top, left) of one image's channels [ch, ch + 4) into PATCH, zero outside. */
@inline function gatherPatch(image: usize, h: i32, w: i32, row: usize, pixel: usize, ch: i32, top: i32, left: i32, height: i32, width: i32, patch: usize): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < height; i++) {
    const r = top + i;
    for (let j = 0; j < width; j++) {
      const col = left + j;
      const inImage = r >= 0 && r < h && col >= 0 && col < w;
      v128.store(patch + <usize>(i * 6 + j) * 16, inImage ? v128.load(image + <usize>r * row + <usize>col * pixel + (<usize>ch << 2)) : zero);
    }
  }
}

/*
 * The passes over tiles take a block of them, tiles [first, first + count) in (sample, tile row, tile column) order, so
 * that the point matrices of one block stay in cache between the transforms and their products; row `local` of a
 * block's matrix is its tile first + local.
 */

/** Sample, tile row and tile column of a tile. */
@inline function tileSample(tile: i32, tilesH: i32, tilesW: i32): i32 {
  return tile / (tilesH * tilesW);
}

@inline function tileRow(tile: i32, tilesH: i32, tilesW: i32): i32 {
  return (tile % (tilesH * tilesW)) / tilesW;
}

/**
 * V_p of the block's tiles of NHWC x [n, h, w, c] (c a multiple of 4) with `padTop`/`padLeft` zero rows/columns before
 * it: point p's [count, c] matrix at table[p].
 */
export function inputTransform(x: usize, h: i32, w: i32, c: i32, padTop: i32, padLeft: i32, tilesH: i32, tilesW: i32, first: i32, count: i32, table: usize, scratch: usize): void {
  initTables(scratch);
  const pixel = <usize>c << 2;
  const row = <usize>w * pixel;
  for (let local = 0; local < count; local++) {
    const tile = first + local;
    const image = x + <usize>tileSample(tile, tilesH, tilesW) * <usize>h * row;
    const top = tileRow(tile, tilesH, tilesW) * 4 - padTop;
    const left = (tile % tilesW) * 4 - padLeft;
    const inside = top >= 0 && top + 6 <= h && left >= 0 && left + 6 <= w;
    for (let ch = 0; ch < c; ch += 4) {
      const at = (<usize>local * <usize>c + <usize>ch) << 2;
      let src = scratch + PATCH;
      let srcRow: usize = BLOCK_ROW;
      let srcPixel: usize = 16;
      if (inside) {
        src = image + <usize>top * row + <usize>left * pixel + (<usize>ch << 2);
        srcRow = row;
        srcPixel = pixel;
      } else {
        gatherPatch(image, h, w, row, pixel, ch, top, left, 6, 6, src);
      }
      // Columns first (rows[i][j] = sum_k B^T[i][k] d[k][j]), then each row of that into its six points.
      for (let j = 0; j < 6; j++) inputRows(src + <usize>j * srcPixel, srcRow, scratch + ROW_TABLE, 0, <usize>j << 4);
      for (let i = 0; i < 6; i++) inputRows(scratch + ROWS + <usize>i * BLOCK_ROW, 16, table, i * 6, at);
    }
  }
}

/**
 * y = A^T M A (+ bias, one float per output channel at `bias` unless it is 0) of the block's tiles into NHWC
 * y [n, ho, wo, c] (c a multiple of 4), from the 36 [count, c] matrices at table[p]; the parts of edge tiles past ho or
 * wo are not written.
 */
export function outputTransform(table: usize, bias: usize, y: usize, ho: i32, wo: i32, c: i32, tilesH: i32, tilesW: i32, first: i32, count: i32, scratch: usize): void {
  initTables(scratch);
  const pixel = <usize>c << 2;
  const row = <usize>wo * pixel;
  const gathered = scratch + PATCH;
  for (let local = 0; local < count; local++) {
    const tile = first + local;
    const image = y + <usize>tileSample(tile, tilesH, tilesW) * <usize>ho * row;
    const top = tileRow(tile, tilesH, tilesW) * 4;
    const left = (tile % tilesW) * 4;
    const outRows = min<i32>(4, ho - top);
    const outCols = min<i32>(4, wo - left);
    for (let ch = 0; ch < c; ch += 4) {
      const at = (<usize>local * <usize>c + <usize>ch) << 2;
      for (let p = 0; p < 36; p++) v128.store(gathered + (<usize>p << 4), v128.load(entry(table, p) + at));
      // Columns first (rows[a][j] = sum_k A^T[a][k] M[k][j]), then each of the four rows into a 4x4 block over gathered.
      for (let j = 0; j < 6; j++) outputRows(gathered + <usize>j * 16, BLOCK_ROW, scratch + ROW_TABLE, 0, <usize>j << 4);
      for (let a = 0; a < 4; a++) outputRows(scratch + ROWS + <usize>a * BLOCK_ROW, 16, scratch + PATCH_TABLE, 0, <usize>a * BLOCK_ROW);
      const add = bias != 0 ? v128.load(bias + (<usize>ch << 2)) : f32x4.splat(0);
      for (let a = 0; a < outRows; a++) {
        const dst = image + <usize>(top + a) * row + <usize>left * pixel + (<usize>ch << 2);
        for (let k = 0; k < outCols; k++) v128.store(dst + <usize>k * pixel, f32x4.add(v128.load(gathered + <usize>a * BLOCK_ROW + (<usize>k << 4)), add));
      }
    }
  }
}

/**
 * (A dy A^T)_p of the block's 4x4 tiles of NHWC dy [n, ho, wo, c] (c a multiple of 4), zero past ho and wo: point p's
 * [count, c] matrix at table[p]. The filter gradient's right-hand operands.
 */
export function gradientTransform(dy: usize, ho: i32, wo: i32, c: i32, tilesH: i32, tilesW: i32, first: i32, count: i32, table: usize, scratch: usize): void {
  initTables(scratch);
  const pixel = <usize>c << 2;
  const row = <usize>wo * pixel;
  for (let local = 0; local < count; local++) {
    const tile = first + local;
    const image = dy + <usize>tileSample(tile, tilesH, tilesW) * <usize>ho * row;
    const top = tileRow(tile, tilesH, tilesW) * 4;
    const left = (tile % tilesW) * 4;
    const inside = top + 4 <= ho && left + 4 <= wo;
    for (let ch = 0; ch < c; ch += 4) {
      const at = (<usize>local * <usize>c + <usize>ch) << 2;
      let src = scratch + PATCH;
      let srcRow: usize = BLOCK_ROW;
      let srcPixel: usize = 16;
      if (inside) {
        src = image + <usize>top * row + <usize>left * pixel + (<usize>ch << 2);
        srcRow = row;
        srcPixel = pixel;
      } else {
        gatherPatch(image, ho, wo, row, pixel, ch, top, left, 4, 4, src);
      }
      // Columns first (rows[i][k] = sum_a A[i][a] dy[a][k]), then each row into its six points.
      for (let k = 0; k < 4; k++) adjointRows(src + <usize>k * srcPixel, srcRow, scratch + ROW_TABLE, 0, <usize>k << 4);
      for (let i = 0; i < 6; i++) adjointRows(scratch + ROWS + <usize>i * BLOCK_ROW, 16, table, i * 6, at);
    }
  }
}

/**
 * U_p = G g G^T of filter g [3, 3, cin, cout] into the 36 [cin, cout] matrices at table[p]; `count` = cin * cout, a
 * multiple of 4.
 */
export function filterTransform(g: usize, count: i32, table: usize, scratch: usize): void {
  initTables(scratch);
  const tap = <usize>count << 2;
  for (let at: usize = 0; at < tap; at += 16) {
    // Columns first (rows[i][kw] = sum_kh G[i][kh] g[kh][kw]), then each row into its six points.
    for (let kw = 0; kw < 3; kw++) filterRows(g + at + <usize>kw * tap, 3 * tap, scratch + ROW_TABLE, 0, <usize>kw << 4);
    for (let i = 0; i < 6; i++) filterRows(scratch + ROWS + <usize>i * BLOCK_ROW, 16, table, i * 6, at);
  }
}

/** dg = G^T dU G: the filter gradient [3, 3, cin, cout] from the 36 [cin, cout] matrices at table[p]; `count` = cin * cout. */
export function filterGradientTransform(table: usize, count: i32, dg: usize, scratch: usize): void {
  const tap = <usize>count << 2;
  initTables(scratch);
  const gathered = scratch + PATCH;
  for (let at: usize = 0; at < tap; at += 16) {
    for (let p = 0; p < 36; p++) v128.store(gathered + (<usize>p << 4), v128.load(entry(table, p) + at));
    // Columns first (rows[kh][j] = sum_i G^T[kh][i] dU[i][j]), then each of the three rows into nine taps over gathered.
    for (let j = 0; j < 6; j++) filterGradientRows(gathered + <usize>j * 16, BLOCK_ROW, scratch + ROW_TABLE, 0, <usize>j << 4);
    for (let kh = 0; kh < 3; kh++) filterGradientRows(scratch + ROWS + <usize>kh * BLOCK_ROW, 16, scratch + PATCH_TABLE, kh * 3, 0);
    for (let t = 0; t < 9; t++) v128.store(dg + <usize>t * tap + at, v128.load(gathered + (<usize>t << 4)));
  }
}

/**
 * dU_p (+)= V_p^T W_p for `points` pairs of matrices (36 per block of Winograd tiles; one for a 1x1 convolution's filter
 * gradient, x^T dy): V_p [count, cin] at tableV[p], W_p [count, cout] at tableW[p] and dU_p [cin, cout] at tableDU[p]
 * (cin and cout multiples of 4), added to what dU_p holds with `accumulate`. Each 4 x 8 (or, for the last 4 output
 * channels, 4 x 4) block of dU_p stays in registers while the rows go by: a sum in row order, the same for any thread count.
 */
export function filterGradientProducts(tableV: usize, tableW: usize, points: i32, count: i32, cin: i32, cout: i32, tableDU: usize, accumulate: bool): void {
  const vRow = <usize>cin << 2;
  const wRow = <usize>cout << 2;
  const zero = f32x4.splat(0);
  for (let p = 0; p < points; p++) {
    const v = entry(tableV, p);
    const w = entry(tableW, p);
    const du = entry(tableDU, p);
    for (let ci = 0; ci < cin; ci += 4) {
      const out = du + <usize>ci * wRow;
      let co = 0;
      for (; co + 8 <= cout; co += 8) {
        const at = out + (<usize>co << 2);
        let a0 = accumulate ? v128.load(at) : zero;
        let b0 = accumulate ? v128.load(at + 16) : zero;
        let a1 = accumulate ? v128.load(at + wRow) : zero;
        let b1 = accumulate ? v128.load(at + wRow + 16) : zero;
        let a2 = accumulate ? v128.load(at + 2 * wRow) : zero;
        let b2 = accumulate ? v128.load(at + 2 * wRow + 16) : zero;
        let a3 = accumulate ? v128.load(at + 3 * wRow) : zero;
        let b3 = accumulate ? v128.load(at + 3 * wRow + 16) : zero;
        let vAt = v + (<usize>ci << 2);
        let wAt = w + (<usize>co << 2);
        for (let t = 0; t < count; t++) {
          const x = v128.load(vAt);
          const low = v128.load(wAt);
          const high = v128.load(wAt + 16);
          const x0 = v128.shuffle<f32>(x, x, 0, 0, 0, 0);
          const x1 = v128.shuffle<f32>(x, x, 1, 1, 1, 1);
          const x2 = v128.shuffle<f32>(x, x, 2, 2, 2, 2);
          const x3 = v128.shuffle<f32>(x, x, 3, 3, 3, 3);
          a0 = f32x4.add(a0, f32x4.mul(x0, low));
          b0 = f32x4.add(b0, f32x4.mul(x0, high));
          a1 = f32x4.add(a1, f32x4.mul(x1, low));
          b1 = f32x4.add(b1, f32x4.mul(x1, high));
          a2 = f32x4.add(a2, f32x4.mul(x2, low));
          b2 = f32x4.add(b2, f32x4.mul(x2, high));
          a3 = f32x4.add(a3, f32x4.mul(x3, low));
          b3 = f32x4.add(b3, f32x4.mul(x3, high));
          vAt += vRow;
          wAt += wRow;
        }
        v128.store(at, a0);
        v128.store(at + 16, b0);
        v128.store(at + wRow, a1);
        v128.store(at + wRow + 16, b1);
        v128.store(at + 2 * wRow, a2);
        v128.store(at + 2 * wRow + 16, b2);
        v128.store(at + 3 * wRow, a3);
        v128.store(at + 3 * wRow + 16, b3);
      }
      if (co < cout) {
        const at = out + (<usize>co << 2);
        let a0 = accumulate ? v128.load(at) : zero;
        let a1 = accumulate ? v128.load(at + wRow) : zero;
        let a2 = accumulate ? v128.load(at + 2 * wRow) : zero;
        let a3 = accumulate ? v128.load(at + 3 * wRow) : zero;
        let vAt = v + (<usize>ci << 2);
        let wAt = w + (<usize>co << 2);
        for (let t = 0; t < count; t++) {
          const x = v128.load(vAt);
          const low = v128.load(wAt);
          a0 = f32x4.add(a0, f32x4.mul(v128.shuffle<f32>(x, x, 0, 0, 0, 0), low));
          a1 = f32x4.add(a1, f32x4.mul(v128.shuffle<f32>(x, x, 1, 1, 1, 1), low));
          a2 = f32x4.add(a2, f32x4.mul(v128.shuffle<f32>(x, x, 2, 2, 2, 2), low));
          a3 = f32x4.add(a3, f32x4.mul(v128.shuffle<f32>(x, x, 3, 3, 3, 3), low));
          vAt += vRow;
          wAt += wRow;
        }
        v128.store(at, a0);
        v128.store(at + wRow, a1);
        v128.store(at + 2 * wRow, a2);
        v128.store(at + 3 * wRow, a3);
      }
    }
  }
}

/**
 * M_p = V_p U_p for the 36 points of a block: V_p [rows, cin] at tableV[p], U_p [cin, cout] at tableU[p], M_p [rows, cout]
 * at tableM[p]; rows, cin and cout multiples of 4. Each 4 x 8 (or, for the last 4 output channels, 4 x 4) block of M_p
 * stays in registers while the input channels go by.
 */
export function pointProducts(tableV: usize, tableU: usize, rows: i32, cin: i32, cout: i32, tableM: usize): void {
  const vRow = <usize>cin << 2;
  const uRow = <usize>cout << 2;
  for (let p = 0; p < 36; p++) {
    const v = entry(tableV, p);
    const u = entry(tableU, p);
    const m = entry(tableM, p);
    for (let t = 0; t < rows; t += 4) {
      const vAt = v + <usize>t * vRow;
      const out = m + <usize>t * uRow;
      let co = 0;
      for (; co + 8 <= cout; co += 8) {
        let a0 = f32x4.splat(0);
        let b0 = a0;
        let a1 = a0;
        let b1 = a0;
        let a2 = a0;
        let b2 = a0;
        let a3 = a0;
        let b3 = a0;
        let uAt = u + (<usize>co << 2);
        for (let k = 0; k < cin; k++) {
          const low = v128.load(uAt);
          const high = v128.load(uAt + 16);
          const kAt = vAt + (<usize>k << 2);
          const x0 = v128.load32_splat(kAt);
          const x1 = v128.load32_splat(kAt + vRow);
          const x2 = v128.load32_splat(kAt + 2 * vRow);
          const x3 = v128.load32_splat(kAt + 3 * vRow);
          a0 = f32x4.add(a0, f32x4.mul(x0, low));
          b0 = f32x4.add(b0, f32x4.mul(x0, high));
          a1 = f32x4.add(a1, f32x4.mul(x1, low));
          b1 = f32x4.add(b1, f32x4.mul(x1, high));
          a2 = f32x4.add(a2, f32x4.mul(x2, low));
          b2 = f32x4.add(b2, f32x4.mul(x2, high));
          a3 = f32x4.add(a3, f32x4.mul(x3, low));
          b3 = f32x4.add(b3, f32x4.mul(x3, high));
          uAt += uRow;
        }
        const at = out + (<usize>co << 2);
        v128.store(at, a0);
        v128.store(at + 16, b0);
        v128.store(at + uRow, a1);
        v128.store(at + uRow + 16, b1);
        v128.store(at + 2 * uRow, a2);
        v128.store(at + 2 * uRow + 16, b2);
        v128.store(at + 3 * uRow, a3);
        v128.store(at + 3 * uRow + 16, b3);
      }
      if (co < cout) {
        let a0 = f32x4.splat(0);
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        let uAt = u + (<usize>co << 2);
        for (let k = 0; k < cin; k++) {
          const low = v128.load(uAt);
          const kAt = vAt + (<usize>k << 2);
          a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(kAt), low));
          a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(kAt + vRow), low));
          a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(kAt + 2 * vRow), low));
          a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(kAt + 3 * vRow), low));
          uAt += uRow;
        }
        const at = out + (<usize>co << 2);
        v128.store(at, a0);
        v128.store(at + uRow, a1);
        v128.store(at + 2 * uRow, a2);
        v128.store(at + 3 * uRow, a3);
      }
    }
  }
}
