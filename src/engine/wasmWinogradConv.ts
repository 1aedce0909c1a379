// 3x3 stride-1 convolutions and their filter gradient on the tfjs WASM backend by Winograd F(4x4, 3x3), with 4x fewer
// multiplications: transforms and products in WebAssembly SIMD (wasm/winograd.as.ts) on tfjs's own memory.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelInput, type KernelArgs } from './kernelArgs.ts';
import { WINOGRAD_SHARED_WASM_BASE64, WINOGRAD_WASM_BASE64 } from './wasm/winogradWasm.ts';
import { allocateScratch, backendMemory, freeScratch, linkedExports, tensorOffset, type KernelModuleBytes } from './wasmLinkedModule.ts';

/*
 * Per 4x4 output tile, y = A^T [(G g G^T) (.) (B^T d B)] A over a 6x6 input patch: 36 multiplications per tile, channel
 * pair and 16 outputs where a direct 3x3 convolution takes 144. Summed over input channels, each of the 36 transformed
 * points p is one product M_p = V_p [tiles, cin] x U_p [cin, cout]. Tiles go through in blocks whose point matrices stay
 * in cache (scratch from tfjs's allocator, no tensors): input transform, the 36 products in 4x8 register blocks, output
 * transform. The filter gradient is the adjoint: dU_p = sum over blocks of V_p^T (A dy A^T)_p, dg = G^T dU G. The module's
 * own products ran at 39-45 GFLOP/s on one core of the 2-core EPYC VM, where XNNPACK's fully-connected operator (tried
 * first) reached 17-26 on the same shapes: it repacks the right-hand matrix at each of the 36 calls per block, and each
 * call costs a tensor and a dispatch.
 * Rounding: the transforms' sums of up to 36 terms add about four times the float32 error of a direct convolution (4e-6
 * of the output's scale against 1e-6 at 64 channels, measured against float64), well inside the engine's 1e-4 tolerance.
 * Every sum runs in a fixed order, so results do not depend on the thread count (XNNPACK's threads do not run here).
 */

/** The exports of wasm/winograd.as.ts (pointers are byte offsets into tfjs's memory; blocks are [tile][36][channel]). */
interface WinogradTransforms {
  SCRATCH_BYTES: WebAssembly.Global;
  inputTransform(x: number, h: number, w: number, c: number, padTop: number, padLeft: number, tilesH: number, tilesW: number, first: number, count: number, v: number, scratch: number): void;
  outputTransform(m: number, bias: number, y: number, ho: number, wo: number, c: number, tilesH: number, tilesW: number, first: number, count: number, scratch: number): void;
  gradientTransform(dy: number, ho: number, wo: number, c: number, tilesH: number, tilesW: number, first: number, count: number, w: number, scratch: number): void;
  filterTransform(g: number, count: number, u: number, scratch: number): void;
  filterGradientTransform(du: number, count: number, dg: number, scratch: number): void;
  filterGradientProducts(v: number, vRow: number, w: number, wRow: number, points: number, count: number, cin: number, cout: number, du: number, accumulate: boolean, pack: number): void;
  pointProducts(v: number, u: number, rows: number, cin: number, cout: number, m: number): void;
  denseProducts(x: number, w: number, bias: number, rows: number, cin: number, cout: number, y: number): void;
}

const WINOGRAD_MODULE: KernelModuleBytes = { unsharedBase64: WINOGRAD_WASM_BASE64, sharedBase64: WINOGRAD_SHARED_WASM_BASE64 };

/** Points of the transformed 6x6 tile. */
const POINTS = 36;

/**
 * When the WASM backend takes the Winograd path, and the module's product for 1x1 convolutions (bench/convolutions.bench.ts
 * times both against XNNPACK's direct convolution).
 */
export interface WinogradSettings {
  enabled: boolean;
  /**
   * Smallest cin * cout served (1x1 too), cout rounded up to 4 (the U-Nets' 8 x 8 was still 1.5x faster than XNNPACK, and their
   * final 8 -> 1, padded to 8 x 4, 3x faster: 1.8 against 5.7 ms at batch 8 on 96 x 96; below, untimed).
   */
  minChannelProduct: number;
  /** Bytes of one block's 36 point matrices (both sides of its products): tiles go through in blocks that stay in cache. */
  blockBytes: number;
  /**
   * The module runs on one thread: above this many XNNPACK threads (the browser's threaded WASM on a machine with more
   * cores) the direct convolution is left to them. On one thread Winograd was 1.35-3.5x faster than XNNPACK (3.5-6.9x for
   * the filter gradient); against XNNPACK on 2 or more threads it was not timed.
   */
  maxThreads: number;
  /**
   * From this cin + cout on, the 3x3 filter gradient copies each point's two matrices into panels of four channels first
   * (the same bits either way). Best CPU time of 8 on the 2-core VM: 1.8x faster at 256 + 256 channels, 1.1x at 128 + 128
   * and 64 + 64, 4 % slower at 32 + 32.
   */
  packFilterGradientFrom: number;
  /**
   * The same for the 1x1 filter gradient, per chunk of rows. Best CPU time of 6 at batch 8 on the 2-core VM: 1.3-2.4x
   * faster from 32 + 32 channels on (96 x 96 and 48 x 48 pixels, up to 96 + 32; 1.5-3.3x at 128 + 64 to 512 + 256), 1.05x
   * at 48 + 16, the same at 32 + 16, 1.5x slower at 16 + 8 and 24 + 8.
   */
  packPointwiseFilterGradientFrom: number;
}

let settings: WinogradSettings = { enabled: true, minChannelProduct: 8 * 4, blockBytes: 4 * 2 ** 20, maxThreads: 2, packFilterGradientFrom: 128, packPointwiseFilterGradientFrom: 64 };

export function winogradSettings(): Readonly<WinogradSettings> {
  return settings;
}

/** Changes some settings (the bench and tests compare both paths); a change applies to the next convolution. */
export function setWinogradSettings(changes: Partial<WinogradSettings>): void {
  settings = { ...settings, ...changes };
}

/** Geometry of one 3x3 stride-1 NHWC convolution x [n, h, w, cin] -> [n, ho, wo, cout]. */
export interface WinogradGeometry {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  /** cout rounded up to 4: the transforms take four channels at a time, so a forward pads its filter with zero outputs. */
  paddedCout: number;
  ho: number;
  wo: number;
  padTop: number;
  padLeft: number;
  tilesH: number;
  tilesW: number;
  tiles: number;
}

/** The transforms on the backend's memory, or null where they cannot link (every convolution then stays with XNNPACK). */
function transformsFor(backend: BackendWasm): WinogradTransforms | null {
  return linkedExports<WinogradTransforms>(backend, WINOGRAD_MODULE);
}

/** Whether the module serves convolutions now (settings and XNNPACK's thread count). */
function serving(): boolean {
  return settings.enabled && getThreadsCount() <= settings.maxThreads;
}

/** Whether the active backend is WASM and the transforms link to its memory. */
export function winogradLinked(): boolean {
  return tf.getBackend() === 'wasm' && transformsFor(tf.backend() as BackendWasm) !== null;
}

/**
 * The geometry when Winograd serves this convolution, else null: transforms that do not link, other filters, strides,
 * dilations or layouts, or few channels. cout need not be a multiple of 4 when `padCout` (forwards only).
 */
function winogradGeometry(
  backend: tf.KernelBackend,
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: [number, number] | number,
  dilations: [number, number] | number | undefined,
  pad: tf.backend_util.ExplicitPadding | 'valid' | 'same' | number,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: string,
  padCout: boolean,
): WinogradGeometry | null {
  if (!serving() || dataFormat !== 'NHWC' || xShape.length !== 4 || transformsFor(backend as BackendWasm) === null) return null;
  const [fh, fw, cin, cout] = filterShape;
  const paddedCout = Math.ceil(cout / 4) * 4;
  if (fh !== 3 || fw !== 3 || cin % 4 !== 0 || (!padCout && paddedCout !== cout) || cin * paddedCout < settings.minChannelProduct) return null;
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], strides, dilations ?? 1, pad, dimRoundingMode);
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const [n, h, w] = xShape;
  const tilesH = Math.ceil(info.outHeight / 4);
  const tilesW = Math.ceil(info.outWidth / 4);
  return { n, h, w, cin, cout, paddedCout, ho: info.outHeight, wo: info.outWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left, tilesH, tilesW, tiles: n * tilesH * tilesW };
}

/** The transforms linked to the backend's memory, and the scratch of one kernel call (freed by end()). */
class Call {
  readonly transforms: WinogradTransforms;
  /** The transforms' own scratch. */
  readonly scratch: number;
  private readonly allocations: number[] = [];

  private readonly memory: WebAssembly.Memory;

  constructor(private readonly backend: BackendWasm) {
    const transforms = transformsFor(backend);
    const memory = backendMemory(backend);
    if (transforms === null || memory === null) throw new Error('Winograd convolution: the WebAssembly SIMD transforms do not link to this WASM backend');
    this.transforms = transforms;
    this.memory = memory;
    this.scratch = this.allocate(transforms.SCRATCH_BYTES.value as number);
  }

  /** Scratch bytes from tfjs's allocator, 16-byte aligned for v128 loads and stores. */
  allocate(bytes: number): number {
    const at = allocateScratch(this.backend, bytes + 15);
    this.allocations.push(at);
    return Math.ceil(at / 16) * 16;
  }

  /** Room for 36 points of `rows` x `cols` floats. */
  points(rows: number, cols: number): number {
    return this.allocate(POINTS * rows * cols * 4);
  }

  offset(t: tf.TensorInfo): number {
    return tensorOffset(this.backend, t);
  }

  /** A float32 view of `count` floats at byte offset `at` (taken after the last allocation: growth replaces the buffer). */
  floats(at: number, count: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, count);
  }

  end(): void {
    for (const at of this.allocations) freeScratch(this.backend, at);
  }
}

/** Tiles per block (WinogradSettings.blockBytes) when the point matrices have `left` and `right` channels per tile. */
function blockTiles(left: number, right: number): number {
  return Math.max(1, Math.floor(settings.blockBytes / (POINTS * 4 * (left + right))));
}

/** Copies `rows` rows of `from` floats at `source` into rows of `to` floats at `target`, the first min(from, to) of each. */
function copyRows(call: Call, source: number, from: number, target: number, to: number, rows: number): void {
  const src = call.floats(source, rows * from);
  const dst = call.floats(target, rows * to);
  const width = Math.min(from, to);
  // A plain loop: the rows are a few floats wide, where a subarray per row costs more than the copy.
  for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) dst[r * to + c] = src[r * from + c];
}

/**
 * y = conv(x, g) + bias of a Winograd-served convolution: per block of tiles, the 36 products M_p = V_p U_p. A cout
 * that is not a multiple of 4 (the U-Net's final convolution to one channel) runs padded with zero filters, its
 * output's extra channels dropped.
 */
function winogradConv(backend: BackendWasm, x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | null, geo: WinogradGeometry): tf.TensorInfo {
  const y = backend.makeOutput([geo.n, geo.ho, geo.wo, geo.cout], 'float32');
  const call = new Call(backend);
  try {
    const { transforms: t } = call;
    const cout = geo.paddedCout;
    const padded = cout !== geo.cout;
    // The products take rows four at a time: a block has room for its tile count rounded up to 4 (extra rows go unread).
    const block = Math.min(blockTiles(geo.cin, cout), geo.tiles);
    const rows = Math.ceil(block / 4) * 4;
    const v = call.points(rows, geo.cin);
    const u = call.points(geo.cin, cout);
    const m = call.points(rows, cout);
    const filterAt = padded ? call.allocate(9 * geo.cin * cout * 4) : call.offset(filter);
    const biasAt = bias === null ? 0 : padded ? call.allocate(cout * 4) : call.offset(bias);
    const pixels = geo.n * geo.ho * geo.wo;
    const yAt = padded ? call.allocate(pixels * cout * 4) : call.offset(y);
    if (padded) {
      // After every allocation (growth would move the buffer). tfjs's malloc does not zero.
      call.floats(filterAt, 9 * geo.cin * cout).fill(0);
      copyRows(call, call.offset(filter), geo.cout, filterAt, cout, 9 * geo.cin);
      if (bias !== null) {
        call.floats(biasAt, cout).fill(0);
        copyRows(call, call.offset(bias), geo.cout, biasAt, cout, 1);
      }
    }
    t.filterTransform(filterAt, geo.cin * cout, u, call.scratch);
    for (let first = 0; first < geo.tiles; first += block) {
      const count = Math.min(block, geo.tiles - first);
      t.inputTransform(call.offset(x), geo.h, geo.w, geo.cin, geo.padTop, geo.padLeft, geo.tilesH, geo.tilesW, first, count, v, call.scratch);
      t.pointProducts(v, u, Math.ceil(count / 4) * 4, geo.cin, cout, m);
      t.outputTransform(m, biasAt, yAt, geo.ho, geo.wo, cout, geo.tilesH, geo.tilesW, first, count, call.scratch);
    }
    if (padded) copyRows(call, yAt, cout, call.offset(y), geo.cout, pixels);
  } finally {
    call.end();
  }
  return y;
}

/**
 * dg [3, 3, cin, cout] of a Winograd-served convolution of x with output gradient dy: dU_p = sum over blocks of
 * V_p^T (A dy A^T)_p, then G^T dU G.
 */
export function winogradFilterGradient(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, geo: WinogradGeometry): tf.TensorInfo {
  const dg = backend.makeOutput([3, 3, geo.cin, geo.cout], 'float32');
  const call = new Call(backend);
  try {
    const { transforms: t } = call;
    const block = Math.min(blockTiles(geo.cin, geo.cout), geo.tiles);
    const v = call.points(block, geo.cin);
    const w = call.points(block, geo.cout);
    const du = call.points(geo.cin, geo.cout);
    const pack = geo.cin + geo.cout >= settings.packFilterGradientFrom ? call.allocate(block * (geo.cin + geo.cout) * 4) : 0;
    for (let first = 0; first < geo.tiles; first += block) {
      const count = Math.min(block, geo.tiles - first);
      t.inputTransform(call.offset(x), geo.h, geo.w, geo.cin, geo.padTop, geo.padLeft, geo.tilesH, geo.tilesW, first, count, v, call.scratch);
      t.gradientTransform(call.offset(dy), geo.ho, geo.wo, geo.cout, geo.tilesH, geo.tilesW, first, count, w, call.scratch);
      t.filterGradientProducts(v, POINTS * geo.cin * 4, w, POINTS * geo.cout * 4, POINTS, count, geo.cin, geo.cout, du, first > 0, pack);
    }
    t.filterGradientTransform(du, geo.cin * geo.cout, call.offset(dg), call.scratch);
  } finally {
    call.end();
  }
  return dg;
}

/**
 * dW [1, 1, cin, cout] = x^T dy of a 1x1 stride-1 unpadded convolution (x [rows, cin], dy [rows, cout] as they lie in
 * memory) by the filter gradient's own product, where the transforms link and cin and cout are multiples of 4; else null.
 */
export function pointwiseFilterGradient(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo): tf.TensorInfo | null {
  const cin = x.shape[x.shape.length - 1];
  const cout = dy.shape[dy.shape.length - 1];
  if (!serving() || cin % 4 !== 0 || cout % 4 !== 0 || transformsFor(backend) === null) return null;
  const dw = backend.makeOutput([1, 1, cin, cout], 'float32');
  const call = new Call(backend);
  try {
    const rows = tf.util.sizeFromShape(x.shape) / cin;
    if (cin + cout < settings.packPointwiseFilterGradientFrom) {
      call.transforms.filterGradientProducts(call.offset(x), cin * 4, call.offset(dy), cout * 4, 1, rows, cin, cout, call.offset(dw), false, 0);
    } else {
      // Rows in chunks of a Winograd block's tile count (their panels fill a block's bytes / 36), summed on in row order:
      // the same bits as one pass.
      const chunk = blockTiles(cin, cout);
      const pack = call.allocate(chunk * (cin + cout) * 4);
      for (let first = 0; first < rows; first += chunk) {
        const count = Math.min(chunk, rows - first);
        call.transforms.filterGradientProducts(call.offset(x) + first * cin * 4, cin * 4, call.offset(dy) + first * cout * 4, cout * 4, 1, count, cin, cout, call.offset(dw), first > 0, pack);
      }
    }
  } finally {
    call.end();
  }
  return dw;
}

/**
 * Whether the module's product serves this convolution as y = x w + bias over x's rows: a 1x1 stride-1 NHWC
 * convolution with no padding, cout and the pixel count multiples of 4, and cin * cout at least the Winograd minimum.
 */
export function pointwiseServes(backend: tf.KernelBackend, xShape: readonly number[], filterShape: readonly number[], attrs: tf.Conv2DAttrs): boolean {
  if (!serving() || attrs.dataFormat !== 'NHWC' || xShape.length !== 4 || transformsFor(backend as BackendWasm) === null) return false;
  const [fh, fw, cin, cout] = filterShape;
  if (fh !== 1 || fw !== 1 || cout % 4 !== 0 || cin * cout < settings.minChannelProduct || (xShape[0] * xShape[1] * xShape[2]) % 4 !== 0) return false;
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode);
  const { top, bottom, left, right } = info.padInfo;
  return info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 && top + bottom + left + right === 0;
}

/**
 * y = x w + bias of a 1x1 convolution by the module's product (XNNPACK's ran at 27-30 GFLOP/s on the small U-Net's 1x1
 * shapes on one core of the 2-core VM, where this product runs the Winograd points at 39-45).
 */
function pointwiseConv(backend: BackendWasm, x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | null): tf.TensorInfo {
  const [n, h, w, cin] = x.shape;
  const cout = filter.shape[3];
  const y = backend.makeOutput([n, h, w, cout], 'float32');
  const call = new Call(backend);
  try {
    call.transforms.denseProducts(call.offset(x), call.offset(filter), bias === null ? 0 : call.offset(bias), n * h * w, cin, cout, call.offset(y));
  } finally {
    call.end();
  }
  return y;
}

/** The geometry of a Conv2DBackpropFilter when Winograd serves it, else null. */
export function winogradFilterGradientGeometry(backend: tf.KernelBackend, x: tf.TensorInfo, attrs: tf.Conv2DBackpropFilterAttrs): WinogradGeometry | null {
  return winogradGeometry(backend, x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, attrs.dataFormat, false);
}

function input(args: KernelArgs, name: string): tf.TensorInfo {
  return kernelInput(args, name, 'Winograd convolution');
}

function makeConv2d(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const x = input(args, 'x');
    const filter = input(args, 'filter');
    const attrs = args.attrs as unknown as tf.Conv2DAttrs;
    if (x.dtype === 'float32' && pointwiseServes(args.backend, x.shape, filter.shape, attrs)) return pointwiseConv(args.backend as BackendWasm, x, filter, null);
    const geo = x.dtype === 'float32' ? winogradGeometry(args.backend, x.shape, filter.shape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, attrs.dataFormat, true) : null;
    return geo === null ? original(args) : winogradConv(args.backend as BackendWasm, x, filter, null, geo);
  };
}

function makeFusedConv2d(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const x = input(args, 'x');
    const filter = input(args, 'filter');
    const { bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    // Activations other than none stay with XNNPACK's fused kernel; so does a bias that is not one value per channel.
    const plain = attrs.activation === 'linear' && preluActivationWeights === undefined && (bias === undefined || bias.shape.length === 1);
    if (plain && x.dtype === 'float32' && pointwiseServes(args.backend, x.shape, filter.shape, attrs)) return pointwiseConv(args.backend as BackendWasm, x, filter, bias ?? null);
    const geo = plain && x.dtype === 'float32' ? winogradGeometry(args.backend, x.shape, filter.shape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, attrs.dataFormat, true) : null;
    return geo === null ? original(args) : winogradConv(args.backend as BackendWasm, x, filter, bias ?? null, geo);
  };
}

let registered = false;

/** Wraps the WASM Conv2D and FusedConv2D so that Winograd serves the convolutions it applies to (idempotent). */
export function registerWasmWinogradConv(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, wrap] of [[tf.Conv2D, makeConv2d], [tf.FusedConv2D, makeFusedConv2d]] as const) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (original === undefined) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    // The original's setup binds its WASM routine, which the other convolutions still use.
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: wrap(original.kernelFunc) as unknown as tf.KernelFunc, setupFunc: original.setupFunc });
  }
}
