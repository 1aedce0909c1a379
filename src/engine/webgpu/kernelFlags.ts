// Which WebGPU kernels the engine replaces with its own: one typed record; a flag that is off leaves tfjs's stock kernel.

/** One flag per custom WebGPU kernel. */
export interface WebGpuKernelFlags {
  /** Conv2DBackpropFilter as an implicit GEMM split over batch x height x width (stock: one thread per weight). */
  conv2dBackpropFilterSplitK: boolean;
  /** GroupNorm (+ scale and shift) and its gradient as a few fused passes (stock: a chain of about 16 tfjs ops). */
  groupNormFused: boolean;
}

/**
 * Stock everywhere until scripts/gpu/measure.sh shows a custom kernel faster on a real GPU; the CLI's
 * `--webgpu-kernels custom` and the measurement script turn them on.
 */
export const DEFAULT_WEBGPU_KERNEL_FLAGS: Readonly<WebGpuKernelFlags> = Object.freeze({ conv2dBackpropFilterSplitK: false, groupNormFused: false });

let flags: WebGpuKernelFlags = { ...DEFAULT_WEBGPU_KERNEL_FLAGS };

/** The flags in force; kernels read them on every call, so a change applies to the next op. */
export function webGpuKernelFlags(): Readonly<WebGpuKernelFlags> {
  return flags;
}

/** Changes some flags, keeping the rest. */
export function setWebGpuKernelFlags(changes: Partial<WebGpuKernelFlags>): void {
  flags = { ...flags, ...changes };
}

/** Every flag off ('stock') or on ('custom'). */
export const WEBGPU_KERNEL_SETS = ['stock', 'custom'] as const;
export type WebGpuKernelSet = (typeof WEBGPU_KERNEL_SETS)[number];

/** Sets every flag at once. */
export function selectWebGpuKernelSet(set: WebGpuKernelSet): void {
  const on = set === 'custom';
  flags = Object.fromEntries(Object.keys(DEFAULT_WEBGPU_KERNEL_FLAGS).map((name) => [name, on])) as unknown as WebGpuKernelFlags;
}

/** What bench output and the Diagnostics panel print: 'custom', 'stock', or 'mixed' with the custom ones named. */
export function activeKernelSet(): { set: WebGpuKernelSet | 'mixed'; custom: (keyof WebGpuKernelFlags)[] } {
  const names = Object.keys(flags) as (keyof WebGpuKernelFlags)[];
  const custom = names.filter((name) => flags[name]);
  const set = custom.length === 0 ? 'stock' : custom.length === names.length ? 'custom' : 'mixed';
  return { set, custom };
}
