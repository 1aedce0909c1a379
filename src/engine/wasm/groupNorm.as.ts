// AssemblyScript source of the GroupNorm (+ scale-shift + SiLU) passes for WebAssembly SIMD, run in place on tfjs's WASM
// memory (../wasmGroupNorm.ts links it there); built by scripts/wasm/build.mjs with an imported memory and no data of its own.
//
// Every pass walks one sample's NHWC run of `count` floats as rows of `period` floats, a multiple of both 4 and the channel
// count, so float k of a row always has channel k % c: SIMD lanes stay on fixed channels and per-lane statistics fold to
// channels on the host. Floats past the last whole row (fewer than `period`) take the scalar tail of each pass.
// Per-lane coefficient and sum arrays hold `period` entries; sums are float64 so the variance E[x^2] - mean^2 keeps its digits.

/**
 * exp's constants, stored in linear memory by storeConstants and loaded by each use: V8 rebuilds a v128.const (3
 * instructions) at every use inside a loop, a load folds into the instruction that uses it.
 */
const CLAMP_LOW = 0;
const CLAMP_HIGH = 1;
const LOG2E = 2;
const ROUNDING = 3;
const LN2_HIGH = 4;
const LN2_LOW = 5;
const POLYNOMIAL = 6; // six coefficients, highest degree first
const ONE = 12;
const EXPONENT_BIAS = 13;
const HALF = 14;
const QUARTER = 15;
const SMALL_Z = 16;
/** Bytes the host gives storeConstants. */
export const CONSTANTS_BYTES: i32 = 17 * 16;

export function storeConstants(at: usize): void {
  v128.store(at + CLAMP_LOW * 16, f32x4.splat(-87.0));
  v128.store(at + CLAMP_HIGH * 16, f32x4.splat(88.0));
  v128.store(at + LOG2E * 16, f32x4.splat(1.44269504088896341));
  // 1.5 * 2^23: adding it rounds to an integer, kept in the low mantissa bits.
  v128.store(at + ROUNDING * 16, f32x4.splat(12582912.0));
  v128.store(at + LN2_HIGH * 16, f32x4.splat(0.693359375));
  v128.store(at + LN2_LOW * 16, f32x4.splat(-2.12194440e-4));
  v128.store(at + POLYNOMIAL * 16, f32x4.splat(1.9875691500e-4));
  v128.store(at + (POLYNOMIAL + 1) * 16, f32x4.splat(1.3981999507e-3));
  v128.store(at + (POLYNOMIAL + 2) * 16, f32x4.splat(8.3334519073e-3));
  v128.store(at + (POLYNOMIAL + 3) * 16, f32x4.splat(4.1665795894e-2));
  v128.store(at + (POLYNOMIAL + 4) * 16, f32x4.splat(1.6666665459e-1));
  v128.store(at + (POLYNOMIAL + 5) * 16, f32x4.splat(5.0000001201e-1));
  v128.store(at + ONE * 16, f32x4.splat(1.0));
  v128.store(at + EXPONENT_BIAS * 16, i32x4.splat(127));
  v128.store(at + HALF * 16, f32x4.splat(0.5));
  v128.store(at + QUARTER * 16, f32x4.splat(0.25));
  v128.store(at + SMALL_Z * 16, f32x4.splat(1e-3));
}

@inline function constant(at: usize, index: i32): v128 {
  return v128.load(at + (<usize>index << 4));
}

/**
 * exp(x) for four floats: Cephes expf (range reduction by ln 2 in two parts, degree-5 polynomial), about 1 ulp; x clamped
 * to [-87, 88] (pmin/pmax: one instruction each, where min/max handle NaN in several).
 */
@inline function exp4(x: v128, k: usize): v128 {
  const clamped = f32x4.pmin(f32x4.pmax(x, constant(k, CLAMP_LOW)), constant(k, CLAMP_HIGH));
  const rounded = f32x4.add(f32x4.mul(clamped, constant(k, LOG2E)), constant(k, ROUNDING));
  const n = f32x4.sub(rounded, constant(k, ROUNDING));
  let r = f32x4.sub(clamped, f32x4.mul(n, constant(k, LN2_HIGH)));
  r = f32x4.sub(r, f32x4.mul(n, constant(k, LN2_LOW)));
  // Written out: binaryen keeps a loop here.
  let p = constant(k, POLYNOMIAL);
  p = f32x4.add(f32x4.mul(p, r), constant(k, POLYNOMIAL + 1));
  p = f32x4.add(f32x4.mul(p, r), constant(k, POLYNOMIAL + 2));
  p = f32x4.add(f32x4.mul(p, r), constant(k, POLYNOMIAL + 3));
  p = f32x4.add(f32x4.mul(p, r), constant(k, POLYNOMIAL + 4));
  p = f32x4.add(f32x4.mul(p, r), constant(k, POLYNOMIAL + 5));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), constant(k, ONE));
  // 2^n: n + 127 into the exponent bits (n sits in the low bits of `rounded`).
  return f32x4.mul(p, i32x4.shl(i32x4.add(rounded, constant(k, EXPONENT_BIAS)), 23));
}

/** z * sigmoid(z) as z / (1 + exp(-z)): one operation fewer than the product. */
@inline function silu4(z: v128, k: usize): v128 {
  return f32x4.div(z, f32x4.add(constant(k, ONE), exp4(f32x4.neg(z), k)));
}

/** Lanes 2 and 3 of four floats as float64. */
@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

@inline function f32At(base: usize, index: i32): f32 {
  return load<f32>(base + (<usize>index << 2));
}

@inline function f64At(base: usize, index: i32): f64 {
  return load<f64>(base + (<usize>index << 3));
}

@inline function addF64(base: usize, index: i32, value: f64): void {
  store<f64>(base + (<usize>index << 3), f64At(base, index) + value);
}

/** Lanes k..k+3 of two float64 sum rows (the second `period` lanes on), each as two f64x2 halves. */
@inline function storeLaneSums(sums: usize, k: i32, period: i32, firstLow: v128, firstHigh: v128, secondLow: v128, secondHigh: v128): void {
  v128.store(sums + (<usize>k << 3), firstLow);
  v128.store(sums + (<usize>(k + 2) << 3), firstHigh);
  v128.store(sums + (<usize>(period + k) << 3), secondLow);
  v128.store(sums + (<usize>(period + k + 2) << 3), secondHigh);
}

/** The value centred on its lane's mean, split in two floats so a large mean costs no digits: (x - meanHigh) - meanLow. */
@inline function centred4(v: v128, meanHigh: v128, meanLow: v128): v128 {
  return f32x4.sub(f32x4.sub(v, meanHigh), meanLow);
}

/** Per lane: sums[k] = sum of x, sums[period + k] = sum of x^2 over the sample's floats of lane k. */
export function laneSums(x: usize, count: i32, period: i32, sums: usize): void {
  const rows = count / period;
  const stride = <usize>period << 2;
  for (let k = 0; k < period; k += 4) {
    let sumLow = f64x2.splat(0);
    let sumHigh = f64x2.splat(0);
    let squareLow = f64x2.splat(0);
    let squareHigh = f64x2.splat(0);
    let at = x + (<usize>k << 2);
    for (let row = 0; row < rows; row++) {
      const v = v128.load(at);
      const low = f64x2.promote_low_f32x4(v);
      const high = promoteHigh(v);
      sumLow = f64x2.add(sumLow, low);
      sumHigh = f64x2.add(sumHigh, high);
      squareLow = f64x2.add(squareLow, f64x2.mul(low, low));
      squareHigh = f64x2.add(squareHigh, f64x2.mul(high, high));
      at += stride;
    }
    storeLaneSums(sums, k, period, sumLow, sumHigh, squareLow, squareHigh);
  }
  for (let i = rows * period; i < count; i++) {
    const v = <f64>f32At(x, i);
    const k = i - rows * period;
    addF64(sums, k, v);
    addF64(sums, period + k, v * v);
  }
}

/**
 * out = act(((x - meanHigh) - meanLow) * scale + shift) per lane, act = SiLU when silu else identity.
 * coefficients: four arrays of `period` floats, in order meanHigh, meanLow, scale, shift; constants: from storeConstants.
 */
export function affine(x: usize, out: usize, count: i32, period: i32, coefficients: usize, silu: bool, constants: usize): void {
  const meanHighAt = coefficients;
  const meanLowAt = coefficients + (<usize>period << 2);
  const scaleAt = coefficients + (<usize>(2 * period) << 2);
  const shiftAt = coefficients + (<usize>(3 * period) << 2);
  const whole = count - count % period;
  for (let i = 0; i < whole; i += period) {
    const rowAt = <usize>i << 2;
    for (let k = 0; k < period; k += 4) {
      const laneAt = <usize>k << 2;
      const xc = centred4(v128.load(x + rowAt + laneAt), v128.load(meanHighAt + laneAt), v128.load(meanLowAt + laneAt));
      let z = f32x4.add(f32x4.mul(xc, v128.load(scaleAt + laneAt)), v128.load(shiftAt + laneAt));
      if (silu) z = silu4(z, constants);
      v128.store(out + rowAt + laneAt, z);
    }
  }
  for (let i = whole; i < count; i++) {
    const k = i - whole;
    const xc = f32At(x, i) - f32At(meanHighAt, k) - f32At(meanLowAt, k);
    let z = xc * f32At(scaleAt, k) + f32At(shiftAt, k);
    if (silu) z = f32x4.extract_lane(silu4(f32x4.splat(z), constants), 0);
    store<f32>(out + (<usize>i << 2), z);
  }
}

/**
 * dy * SiLU'(z) at z = xc * scale + shift, SiLU'(z) = s + y (1 - s) with s = sigmoid(z) and y = z s the forward's
 * output: s = y / z, which keeps y's few ulp of rounding, where |z| >= 1e-3, else 1/2 + z/4 (off by at most z^3 / 48, below
 * 2e-11). The exp and division of recomputing s were most of the sweep's time.
 */
@inline function siluGradient4(dy: v128, y: v128, xc: v128, scale: v128, shift: v128, k: usize): v128 {
  const z = f32x4.add(f32x4.mul(xc, scale), shift);
  const nearZero = f32x4.lt(f32x4.abs(z), constant(k, SMALL_Z));
  const s = v128.bitselect(f32x4.add(constant(k, HALF), f32x4.mul(z, constant(k, QUARTER))), f32x4.div(y, z), nearZero);
  return f32x4.mul(dy, f32x4.add(s, f32x4.mul(y, f32x4.sub(constant(k, ONE), s))));
}

/**
 * The backward pass's first sweep: writes dz, the gradient at the affine's output (dy, or with SiLU dy * SiLU'(z) from
 * the forward's output y, see siluGradient4; y is not read without), to dz, and per lane sums[k] = sum of dz,
 * sums[period + k] = sum of dz * xc, xc = (x - meanHigh) - meanLow. Same coefficients as affine.
 */
export function gradientSums(x: usize, y: usize, dy: usize, dz: usize, count: i32, period: i32, coefficients: usize, silu: bool, constants: usize, sums: usize): void {
  const meanHighAt = coefficients;
  const meanLowAt = coefficients + (<usize>period << 2);
  const scaleAt = coefficients + (<usize>(2 * period) << 2);
  const shiftAt = coefficients + (<usize>(3 * period) << 2);
  const rows = count / period;
  const stride = <usize>period << 2;
  for (let k = 0; k < period; k += 4) {
    const laneAt = <usize>k << 2;
    const meanHigh = v128.load(meanHighAt + laneAt);
    const meanLow = v128.load(meanLowAt + laneAt);
    const scale = v128.load(scaleAt + laneAt);
    const shift = v128.load(shiftAt + laneAt);
    let sumLow = f64x2.splat(0);
    let sumHigh = f64x2.splat(0);
    let productLow = f64x2.splat(0);
    let productHigh = f64x2.splat(0);
    let at = laneAt;
    for (let row = 0; row < rows; row++) {
      const xc = centred4(v128.load(x + at), meanHigh, meanLow);
      const g = silu ? siluGradient4(v128.load(dy + at), v128.load(y + at), xc, scale, shift, constants) : v128.load(dy + at);
      v128.store(dz + at, g);
      const gLow = f64x2.promote_low_f32x4(g);
      const gHigh = promoteHigh(g);
      sumLow = f64x2.add(sumLow, gLow);
      sumHigh = f64x2.add(sumHigh, gHigh);
      productLow = f64x2.add(productLow, f64x2.mul(gLow, f64x2.promote_low_f32x4(xc)));
      productHigh = f64x2.add(productHigh, f64x2.mul(gHigh, promoteHigh(xc)));
      at += stride;
    }
    storeLaneSums(sums, k, period, sumLow, sumHigh, productLow, productHigh);
  }
  for (let i = rows * period; i < count; i++) {
    const k = i - rows * period;
    const xc = f32At(x, i) - f32At(meanHighAt, k) - f32At(meanLowAt, k);
    const g = silu ? f32x4.extract_lane(siluGradient4(f32x4.splat(f32At(dy, i)), f32x4.splat(f32At(y, i)), f32x4.splat(xc), f32x4.splat(f32At(scaleAt, k)), f32x4.splat(f32At(shiftAt, k)), constants), 0) : f32At(dy, i);
    store<f32>(dz + (<usize>i << 2), g);
    addF64(sums, k, <f64>g);
    addF64(sums, period + k, <f64>g * <f64>xc);
  }
}

/**
 * dx = p * dz + q * xc + r per lane, in place over dz; xc as in gradientSums.
 * coefficients: five arrays of `period` floats, in order meanHigh, meanLow, p, q, r.
 */
export function gradientApply(x: usize, dz: usize, count: i32, period: i32, coefficients: usize): void {
  const meanHighAt = coefficients;
  const meanLowAt = coefficients + (<usize>period << 2);
  const pAt = coefficients + (<usize>(2 * period) << 2);
  const qAt = coefficients + (<usize>(3 * period) << 2);
  const rAt = coefficients + (<usize>(4 * period) << 2);
  const whole = count - count % period;
  for (let i = 0; i < whole; i += period) {
    const rowAt = <usize>i << 2;
    for (let k = 0; k < period; k += 4) {
      const laneAt = <usize>k << 2;
      const xc = centred4(v128.load(x + rowAt + laneAt), v128.load(meanHighAt + laneAt), v128.load(meanLowAt + laneAt));
      const g = v128.load(dz + rowAt + laneAt);
      const dx = f32x4.add(f32x4.add(f32x4.mul(g, v128.load(pAt + laneAt)), f32x4.mul(xc, v128.load(qAt + laneAt))), v128.load(rAt + laneAt));
      v128.store(dz + rowAt + laneAt, dx);
    }
  }
  for (let i = whole; i < count; i++) {
    const k = i - whole;
    const xc = f32At(x, i) - f32At(meanHighAt, k) - f32At(meanLowAt, k);
    store<f32>(dz + (<usize>i << 2), f32At(dz, i) * f32At(pAt, k) + xc * f32At(qAt, k) + f32At(rAt, k));
  }
}
