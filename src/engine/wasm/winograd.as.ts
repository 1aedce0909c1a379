// AssemblyScript source of the Winograd F(4x4, 3x3) convolution for WebAssembly SIMD, run in place on tfjs's WASM memory
// (../wasmWinogradConv.ts links it there); built by scripts/wasm/build.mjs with an imported memory and no data of its own.
//
// A 3x3 stride-1 convolution is cut into 4x4 output tiles, each read from a 6x6 input patch (Lavin & Gray 2016, points
// 0, +-1, +-2 and infinity). For each of the 36 points p = 6i + j of the transformed tile:
//   V_p = (B^T d B)_p per tile and input channel,  U_p = (G g G^T)_p per input and output channel,
//   M_p = V_p x U_p  (one [tiles, cin] x [cin, cout] product),  y = A^T M A per tile and output channel.
// The filter gradient is the adjoint: dU_p = V_p^T x (A dy A^T)_p, dg = G^T dU G.
// Layouts: a block's V, M and (A dy A^T) hold each tile's 36 points together, [tile][p][channel], so a transform reads and
// writes one tile's points as one run, and the products step over tiles with a stride; U and dU are [p][cin][cout].
// Every transform works on four channels at once (one v128) of one tile. Multiplications by 2, 4 and 8 are additions
// (exact, and V8 would rebuild a v128 constant inside each loop).

/** Scratch bytes a call needs: a 6x6 block of v128s (a zero-padded patch, or a tile's outputs) and a 6x6 block of rows. */
export const SCRATCH_BYTES: i32 = 2 * 36 * 16;
const PATCH = 0;
const ROWS = 36 * 16;
/** Byte stride between rows of a 6-wide block of v128s. */
const BLOCK_ROW = 6 * 16;

@inline function twice(a: v128): v128 {
  return f32x4.add(a, a);
}

/*
 * Each transform below multiplies one small matrix into v128s read at src + k * stride and stores result r at
 * dst + r * dstStride: a column of a tile goes to a column of ROWS, a row of ROWS to a tile's points.
 */

/** B^T (6x6) of a 6x6 patch's column or row. */
@inline function inputRows(src: usize, stride: usize, dst: usize, dstStride: usize): void {
  const d0 = v128.load(src);
  const d1 = v128.load(src + stride);
  const d2 = v128.load(src + 2 * stride);
  const d3 = v128.load(src + 3 * stride);
  const d4 = v128.load(src + 4 * stride);
  const d5 = v128.load(src + 5 * stride);
  const d4m2 = f32x4.sub(d4, d2);
  const d3m1 = twice(f32x4.sub(d3, d1));
  v128.store(dst, f32x4.add(twice(twice(f32x4.sub(d0, d2))), d4m2));
  v128.store(dst + dstStride, f32x4.sub(f32x4.add(d3, d4), twice(twice(f32x4.add(d1, d2)))));
  v128.store(dst + 2 * dstStride, f32x4.add(f32x4.sub(d4, d3), twice(twice(f32x4.sub(d1, d2)))));
  v128.store(dst + 3 * dstStride, f32x4.add(d4m2, d3m1));
  v128.store(dst + 4 * dstStride, f32x4.sub(d4m2, d3m1));
  v128.store(dst + 5 * dstStride, f32x4.add(twice(twice(f32x4.sub(d1, d3))), f32x4.sub(d5, d3)));
}

/** A^T (4x6) of six transformed points. */
@inline function outputRows(src: usize, stride: usize, dst: usize, dstStride: usize): void {
  const m1 = v128.load(src + stride);
  const m2 = v128.load(src + 2 * stride);
  const m3 = v128.load(src + 3 * stride);
  const m4 = v128.load(src + 4 * stride);
  const s12 = f32x4.add(m1, m2);
  const s34 = f32x4.add(m3, m4);
  const d12 = f32x4.sub(m1, m2);
  const d34 = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(v128.load(src), s12), s34));
  v128.store(dst + dstStride, f32x4.add(d12, twice(d34)));
  v128.store(dst + 2 * dstStride, f32x4.add(s12, twice(twice(s34))));
  v128.store(dst + 3 * dstStride, f32x4.add(f32x4.add(d12, twice(twice(twice(d34)))), v128.load(src + 5 * stride)));
}

/** A (6x4), the adjoint of A^T, of four output-gradient values. */
@inline function adjointRows(src: usize, stride: usize, dst: usize, dstStride: usize): void {
  const y0 = v128.load(src);
  const y1 = v128.load(src + stride);
  const y2 = v128.load(src + 2 * stride);
  const y3 = v128.load(src + 3 * stride);
  const even = f32x4.add(y0, y2);
  const odd = f32x4.add(y1, y3);
  const evenWide = f32x4.add(y0, twice(twice(y2)));
  const oddWide = twice(f32x4.add(y1, twice(twice(y3))));
  v128.store(dst, y0);
  v128.store(dst + dstStride, f32x4.add(even, odd));
  v128.store(dst + 2 * dstStride, f32x4.sub(even, odd));
  v128.store(dst + 3 * dstStride, f32x4.add(evenWide, oddWide));
  v128.store(dst + 4 * dstStride, f32x4.sub(evenWide, oddWide));
  v128.store(dst + 5 * dstStride, y3);
}

/** G (6x3) of three filter taps. */
@inline function filterRows(src: usize, stride: usize, dst: usize, dstStride: usize): void {
  const g0 = v128.load(src);
  const g1 = v128.load(src + stride);
  const g2 = v128.load(src + 2 * stride);
  const sixth = f32x4.splat(<f32>(1.0 / 6.0));
  const outer = f32x4.add(g0, g2);
  const quarterG0 = f32x4.mul(g0, f32x4.splat(0.25));
  // u3, u4 = g0 / 24 +- g1 / 12 + g2 / 6 = (g0 / 4 +- g1 / 2 + g2) / 6
  const wide = f32x4.add(quarterG0, g2);
  const half = f32x4.mul(g1, f32x4.splat(0.5));
  v128.store(dst, quarterG0);
  v128.store(dst + dstStride, f32x4.neg(f32x4.mul(f32x4.add(outer, g1), sixth)));
  v128.store(dst + 2 * dstStride, f32x4.neg(f32x4.mul(f32x4.sub(outer, g1), sixth)));
  v128.store(dst + 3 * dstStride, f32x4.mul(f32x4.add(wide, half), sixth));
  v128.store(dst + 4 * dstStride, f32x4.mul(f32x4.sub(wide, half), sixth));
  v128.store(dst + 5 * dstStride, g2);
}

/** G^T (3x6) of six transformed points: rows [1/4, -1/6, -1/6, 1/24, 1/24, 0], [0, -1/6, 1/6, 1/12, -1/12, 0], [0, -1/6, -1/6, 1/6, 1/6, 1]. */
@inline function filterGradientRows(src: usize, stride: usize, dst: usize, dstStride: usize): void {
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
  v128.store(dst, f32x4.add(f32x4.mul(u0, quarter), f32x4.mul(f32x4.sub(f32x4.mul(s34, quarter), s12), sixth)));
  v128.store(dst + dstStride, f32x4.mul(f32x4.sub(f32x4.mul(f32x4.sub(u3, u4), f32x4.splat(0.5)), f32x4.sub(u1, u2)), sixth));
  v128.store(dst + 2 * dstStride, f32x4.add(f32x4.mul(f32x4.sub(s34, s12), sixth), u5));
}

/**
 * Where a tile's `size` x `size` window at (top, left) of one image's channels [ch, ch + 4) is read: in the image when it
 * lies `inside`, else copied into PATCH with zeros outside the image. The window's rows and pixels are then `row` and
 * `pixel` bytes apart in the image, BLOCK_ROW and 16 in PATCH.
 */
@inline function windowAt(image: usize, h: i32, w: i32, row: usize, pixel: usize, ch: i32, top: i32, left: i32, size: i32, inside: bool, scratch: usize): usize {
  if (inside) return image + <usize>top * row + <usize>left * pixel + (<usize>ch << 2);
  const patch = scratch + PATCH;
  const zero = f32x4.splat(0);
  for (let i = 0; i < size; i++) {
    const r = top + i;
    for (let j = 0; j < size; j++) {
      const col = left + j;
      const inImage = r >= 0 && r < h && col >= 0 && col < w;
      v128.store(patch + <usize>(i * 6 + j) * 16, inImage ? v128.load(image + <usize>r * row + <usize>col * pixel + (<usize>ch << 2)) : zero);
    }
  }
  return patch;
}

/*
 * The passes over tiles take a block of them, tiles [first, first + count) in (sample, tile row, tile column) order, so
 * that the point matrices of one block stay in cache between the transforms and their products; entry `local` of a
 * block is its tile first + local.
 */

/** Sample and tile row of a tile. */
@inline function tileSample(tile: i32, tilesH: i32, tilesW: i32): i32 {
  return tile / (tilesH * tilesW);
}

@inline function tileRow(tile: i32, tilesH: i32, tilesW: i32): i32 {
  return (tile % (tilesH * tilesW)) / tilesW;
}

/**
 * V of the block's tiles of NHWC x [n, h, w, c] (c a multiple of 4) with `padTop`/`padLeft` zero rows/columns before it,
 * into v [count][36][c].
 */
export function inputTransform(x: usize, h: i32, w: i32, c: i32, padTop: i32, padLeft: i32, tilesH: i32, tilesW: i32, first: i32, count: i32, v: usize, scratch: usize): void {
  const pixel = <usize>c << 2;
  const row = <usize>w * pixel;
  for (let local = 0; local < count; local++) {
    const tile = first + local;
    const image = x + <usize>tileSample(tile, tilesH, tilesW) * <usize>h * row;
    const top = tileRow(tile, tilesH, tilesW) * 4 - padTop;
    const left = (tile % tilesW) * 4 - padLeft;
    const inside = top >= 0 && top + 6 <= h && left >= 0 && left + 6 <= w;
    const srcRow = inside ? row : BLOCK_ROW;
    const srcPixel = inside ? pixel : 16;
    const points = v + <usize>local * 36 * pixel;
    for (let ch = 0; ch < c; ch += 4) {
      const src = windowAt(image, h, w, row, pixel, ch, top, left, 6, inside, scratch);
      // Columns first (rows[i][j] = sum_k B^T[i][k] d[k][j]), then each row of that into its six points.
      for (let j = 0; j < 6; j++) inputRows(src + <usize>j * srcPixel, srcRow, scratch + ROWS + (<usize>j << 4), BLOCK_ROW);
      const dst = points + (<usize>ch << 2);
      for (let i = 0; i < 6; i++) inputRows(scratch + ROWS + <usize>i * BLOCK_ROW, 16, dst + <usize>(i * 6) * pixel, pixel);
    }
  }
}

/**
 * y = A^T M A (+ bias, one float per output channel at `bias` unless it is 0) of the block's tiles into NHWC
 * y [n, ho, wo, c] (c a multiple of 4), from m [count][36][c]; the parts of edge tiles past ho or wo are not written.
 */
export function outputTransform(m: usize, bias: usize, y: usize, ho: i32, wo: i32, c: i32, tilesH: i32, tilesW: i32, first: i32, count: i32, scratch: usize): void {
  const pixel = <usize>c << 2;
  const row = <usize>wo * pixel;
  const tileOut = scratch + PATCH;
  for (let local = 0; local < count; local++) {
    const tile = first + local;
    const image = y + <usize>tileSample(tile, tilesH, tilesW) * <usize>ho * row;
    const top = tileRow(tile, tilesH, tilesW) * 4;
    const left = (tile % tilesW) * 4;
    const outRows = min<i32>(4, ho - top);
    const outCols = min<i32>(4, wo - left);
    const points = m + <usize>local * 36 * pixel;
    for (let ch = 0; ch < c; ch += 4) {
      const src = points + (<usize>ch << 2);
      // Columns first (rows[a][j] = sum_k A^T[a][k] M[k][j]), then each of the four rows into a 4x4 block.
      for (let j = 0; j < 6; j++) outputRows(src + <usize>j * pixel, 6 * pixel, scratch + ROWS + (<usize>j << 4), BLOCK_ROW);
      for (let a = 0; a < 4; a++) outputRows(scratch + ROWS + <usize>a * BLOCK_ROW, 16, tileOut + <usize>a * 64, 16);
      const add = bias != 0 ? v128.load(bias + (<usize>ch << 2)) : f32x4.splat(0);
      for (let a = 0; a < outRows; a++) {
        const dst = image + <usize>(top + a) * row + <usize>left * pixel + (<usize>ch << 2);
        for (let k = 0; k < outCols; k++) v128.store(dst + <usize>k * pixel, f32x4.add(v128.load(tileOut + <usize>(a * 4 + k) * 16), add));
      }
    }
  }
}

/**
 * (A dy A^T) of the block's 4x4 tiles of NHWC dy [n, ho, wo, c] (c a multiple of 4), zero past ho and wo, into
 * w [count][36][c]: the filter gradient's right-hand operands.
 */
export function gradientTransform(dy: usize, ho: i32, wo: i32, c: i32, tilesH: i32, tilesW: i32, first: i32, count: i32, w: usize, scratch: usize): void {
  const pixel = <usize>c << 2;
  const row = <usize>wo * pixel;
  for (let local = 0; local < count; local++) {
    const tile = first + local;
    const image = dy + <usize>tileSample(tile, tilesH, tilesW) * <usize>ho * row;
    const top = tileRow(tile, tilesH, tilesW) * 4;
    const left = (tile % tilesW) * 4;
    const inside = top + 4 <= ho && left + 4 <= wo;
    const srcRow = inside ? row : BLOCK_ROW;
    const srcPixel = inside ? pixel : 16;
    const points = w + <usize>local * 36 * pixel;
    for (let ch = 0; ch < c; ch += 4) {
      const src = windowAt(image, ho, wo, row, pixel, ch, top, left, 4, inside, scratch);
      // Columns first (rows[i][k] = sum_a A[i][a] dy[a][k]), then each row into its six points.
      for (let k = 0; k < 4; k++) adjointRows(src + <usize>k * srcPixel, srcRow, scratch + ROWS + (<usize>k << 4), BLOCK_ROW);
      const dst = points + (<usize>ch << 2);
      for (let i = 0; i < 6; i++) adjointRows(scratch + ROWS + <usize>i * BLOCK_ROW, 16, dst + <usize>(i * 6) * pixel, pixel);
    }
  }
}

/** U = G g G^T of filter g [3, 3, cin, cout] into u [36][cin][cout]; `count` = cin * cout, a multiple of 4. */
export function filterTransform(g: usize, count: i32, u: usize, scratch: usize): void {
  const tap = <usize>count << 2;
  for (let at: usize = 0; at < tap; at += 16) {
    // Columns first (rows[i][kw] = sum_kh G[i][kh] g[kh][kw]), then each row into its six points.
    for (let kw = 0; kw < 3; kw++) filterRows(g + at + <usize>kw * tap, 3 * tap, scratch + ROWS + (<usize>kw << 4), BLOCK_ROW);
    for (let i = 0; i < 6; i++) filterRows(scratch + ROWS + <usize>i * BLOCK_ROW, 16, u + at + <usize>(i * 6) * tap, tap);
  }
}

/** dg = G^T dU G: the filter gradient [3, 3, cin, cout] from du [36][cin][cout]; `count` = cin * cout. */
export function filterGradientTransform(du: usize, count: i32, dg: usize, scratch: usize): void {
  const tap = <usize>count << 2;
  for (let at: usize = 0; at < tap; at += 16) {
    // Columns first (rows[kh][j] = sum_i G^T[kh][i] dU[i][j]), then each of the three rows into its three taps.
    for (let j = 0; j < 6; j++) filterGradientRows(du + at + <usize>j * tap, 6 * tap, scratch + ROWS + (<usize>j << 4), BLOCK_ROW);
    for (let kh = 0; kh < 3; kh++) filterGradientRows(scratch + ROWS + <usize>kh * BLOCK_ROW, 16, dg + at + <usize>(kh * 3) * tap, tap);
  }
}

/**
 * Copies `count` rows of `channels` floats (row t at src + t * rowStride) into panels of four channels, [channels / 4]
 * [count][4] at dst: a product's inner loop then reads each operand as one sequential run.
 */
@inline function packPanels(src: usize, rowStride: usize, count: i32, channels: i32, dst: usize): void {
  const panel = <usize>count << 4;
  for (let t = 0; t < count; t++) {
    const row = src + <usize>t * rowStride;
    const out = dst + (<usize>t << 4);
    for (let c = 0; c < channels; c += 4) v128.store(out + (<usize>(c >> 2)) * panel, v128.load(row + (<usize>c << 2)));
  }
}

/** Four v128s into four rows `row` bytes apart from `at`: one column of four of a register block. */
@inline function storeRows4(at: usize, row: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  v128.store(at, r0);
  v128.store(at + row, r1);
  v128.store(at + 2 * row, r2);
  v128.store(at + 3 * row, r3);
}

/**
 * dU_p (+)= V_p^T W_p for `points` pairs of matrices (36 per block of Winograd tiles, from v [count][36][cin] and
 * w [count][36][cout]; one for a 1x1 convolution's filter gradient, x^T dy): row t of V_p at v + p * cin * 4 + t * vRow,
 * of W_p at w + p * cout * 4 + t * wRow, and dU_p [cin, cout] at duAll + p * cin * cout * 4 (cin and cout multiples of 4),
 * added to what dU_p holds with `accumulate`. Each 4 x 8 (or, for the last 4 output channels, 4 x 4) block of dU_p stays
 * in registers while the rows go by: a sum in row order, the same for any thread count. With `pack` (count * (cin + cout)
 * floats of scratch; 0: read the rows where they lie) each point's two matrices are first copied into panels of four
 * channels: rows of a block lie 36 points apart, which at 128 channels puts a column's rows on two L1 cache sets.
 */
export function filterGradientProducts(v: usize, vRow: usize, w: usize, wRow: usize, points: i32, count: i32, cin: i32, cout: i32, duAll: usize, accumulate: bool, pack: usize): void {
  const duRow = <usize>cout << 2;
  const zero = f32x4.splat(0);
  const packedPanel = <usize>count << 4;
  const wPack = pack + <usize>count * (<usize>cin << 2);
  for (let p = 0; p < points; p++) {
    const vPoint = v + <usize>p * (<usize>cin << 2);
    const wPoint = w + <usize>p * duRow;
    const du = duAll + <usize>p * <usize>cin * duRow;
    // Four channels' column starts at base + (channel / 4) * panel and steps by `step` a row.
    let vBase = vPoint;
    let vStep = vRow;
    let wBase = wPoint;
    let wStep = wRow;
    let panel: usize = 16;
    if (pack != 0) {
      packPanels(vPoint, vRow, count, cin, pack);
      packPanels(wPoint, wRow, count, cout, wPack);
      vBase = pack;
      wBase = wPack;
      vStep = 16;
      wStep = 16;
      panel = packedPanel;
    }
    for (let ci = 0; ci < cin; ci += 4) {
      const out = du + <usize>ci * duRow;
      const vColumn = vBase + (<usize>(ci >> 2)) * panel;
      let co = 0;
      for (; co + 8 <= cout; co += 8) {
        const at = out + (<usize>co << 2);
        let a0 = accumulate ? v128.load(at) : zero;
        let b0 = accumulate ? v128.load(at + 16) : zero;
        let a1 = accumulate ? v128.load(at + duRow) : zero;
        let b1 = accumulate ? v128.load(at + duRow + 16) : zero;
        let a2 = accumulate ? v128.load(at + 2 * duRow) : zero;
        let b2 = accumulate ? v128.load(at + 2 * duRow + 16) : zero;
        let a3 = accumulate ? v128.load(at + 3 * duRow) : zero;
        let b3 = accumulate ? v128.load(at + 3 * duRow + 16) : zero;
        let vAt = vColumn;
        let lowAt = wBase + (<usize>(co >> 2)) * panel;
        let highAt = lowAt + panel;
        for (let t = 0; t < count; t++) {
          const x = v128.load(vAt);
          const low = v128.load(lowAt);
          const high = v128.load(highAt);
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
          vAt += vStep;
          lowAt += wStep;
          highAt += wStep;
        }
        storeRows4(at, duRow, a0, a1, a2, a3);
        storeRows4(at + 16, duRow, b0, b1, b2, b3);
      }
      if (co < cout) {
        const at = out + (<usize>co << 2);
        let a0 = accumulate ? v128.load(at) : zero;
        let a1 = accumulate ? v128.load(at + duRow) : zero;
        let a2 = accumulate ? v128.load(at + 2 * duRow) : zero;
        let a3 = accumulate ? v128.load(at + 3 * duRow) : zero;
        let vAt = vColumn;
        let lowAt = wBase + (<usize>(co >> 2)) * panel;
        for (let t = 0; t < count; t++) {
          const x = v128.load(vAt);
          const low = v128.load(lowAt);
          a0 = f32x4.add(a0, f32x4.mul(v128.shuffle<f32>(x, x, 0, 0, 0, 0), low));
          a1 = f32x4.add(a1, f32x4.mul(v128.shuffle<f32>(x, x, 1, 1, 1, 1), low));
          a2 = f32x4.add(a2, f32x4.mul(v128.shuffle<f32>(x, x, 2, 2, 2, 2), low));
          a3 = f32x4.add(a3, f32x4.mul(v128.shuffle<f32>(x, x, 3, 3, 3, 3), low));
          vAt += vStep;
          lowAt += wStep;
        }
        storeRows4(at, duRow, a0, a1, a2, a3);
      }
    }
  }
}

/**
 * out[r][co] = (bias[co] +) sum over k of v[r][k] u[k][co] for four rows r of v (vRow bytes apart) into four rows of out
 * (outRow bytes apart), u [cin][cout] with rows uRow bytes apart, cout a multiple of 4. Each 4 x 8 (or, for the last 4
 * output channels, 4 x 4) block of out stays in registers while the input channels go by; a bias, when given (not 0),
 * starts the sums.
 */
@inline function productRows(vAt: usize, vRow: usize, u: usize, uRow: usize, cin: i32, cout: i32, out: usize, outRow: usize, bias: usize): void {
  let co = 0;
  for (; co + 8 <= cout; co += 8) {
    let a0 = bias == 0 ? f32x4.splat(0) : v128.load(bias + (<usize>co << 2));
    let b0 = bias == 0 ? f32x4.splat(0) : v128.load(bias + (<usize>co << 2) + 16);
    let a1 = a0;
    let b1 = b0;
    let a2 = a0;
    let b2 = b0;
    let a3 = a0;
    let b3 = b0;
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
    storeRows4(at, outRow, a0, a1, a2, a3);
    storeRows4(at + 16, outRow, b0, b1, b2, b3);
  }
  if (co < cout) {
    let a0 = bias == 0 ? f32x4.splat(0) : v128.load(bias + (<usize>co << 2));
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
    storeRows4(at, outRow, a0, a1, a2, a3);
  }
}

/**
 * M_p = V_p U_p for the 36 points of a block, from v [rows][36][cin] and u [36][cin][cout] into m [rows][36][cout]; rows,
 * cin and cout multiples of 4.
 */
export function pointProducts(vAll: usize, uAll: usize, rows: i32, cin: i32, cout: i32, mAll: usize): void {
  const uRow = <usize>cout << 2;
  const vRow = 36 * (<usize>cin << 2);
  const mRow = 36 * uRow;
  for (let p = 0; p < 36; p++) {
    const v = vAll + <usize>p * (<usize>cin << 2);
    const u = uAll + <usize>p * <usize>cin * uRow;
    const m = mAll + <usize>p * uRow;
    for (let t = 0; t < rows; t += 4) productRows(v + <usize>t * vRow, vRow, u, uRow, cin, cout, m + <usize>t * mRow, mRow, 0);
  }
}

/**
 * y = x w + bias, a 1x1 convolution's rows: x [rows][cin], w [cin][cout], bias [cout] (or 0 for none) into y [rows][cout];
 * rows and cout multiples of 4.
 */
export function denseProducts(x: usize, w: usize, bias: usize, rows: i32, cin: i32, cout: i32, y: usize): void {
  const xRow = <usize>cin << 2;
  const yRow = <usize>cout << 2;
  for (let r = 0; r < rows; r += 4) {
    if (bias == 0) productRows(x + <usize>r * xRow, xRow, w, yRow, cin, cout, y + <usize>r * yRow, yRow, 0);
    else productRows(x + <usize>r * xRow, xRow, w, yRow, cin, cout, y + <usize>r * yRow, yRow, bias);
  }
}
