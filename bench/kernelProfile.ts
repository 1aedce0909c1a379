// Kernel profile of one piece of engine work (a forward, a training step): the top kernels by exclusive time and their share, for bench output and scripts/gpu/measure.ts.
import * as tf from '@tensorflow/tfjs';

export interface KernelProfileRow {
  name: string;
  /** Exclusive milliseconds (a kernel that runs other kernels, such as the engine's own, minus theirs); 0 when untimed. */
  ms: number;
  calls: number;
  /** Fraction of the profile's total: of time when timed, else of calls. */
  share: number;
}

export interface KernelProfile {
  /** Whether the backend timed kernels (WebGPU without timestamp-query reports 0 for every kernel): shares are of calls when not. */
  timed: boolean;
  totalKernelMs: number;
  /** Wall time of the profiled work, which profiling slows (each WebGPU kernel is submitted and timed alone). */
  wallMs: number;
  kernelCalls: number;
  /** tf.profile's peak tensor bytes during the work. */
  peakBytes: number;
  top: KernelProfileRow[];
}

interface ProfilerLike {
  profileKernel: (...args: unknown[]) => unknown;
}

/** Runs work under tf.profile and ranks its kernels by exclusive time (or by calls where the backend gives no times). */
export async function profileKernels(work: () => Promise<void>, topCount = 10): Promise<KernelProfile> {
  const profiler = (tf.engine() as unknown as { profiler: ProfilerLike }).profiler;
  const original = profiler.profileKernel.bind(profiler);
  const depths: number[] = [];
  let depth = 0;
  profiler.profileKernel = (...args: unknown[]) => {
    depth++;
    try {
      return original(...args);
    } finally {
      depth--;
      depths.push(depth);
    }
  };
  const started = performance.now();
  let info: Awaited<ReturnType<typeof tf.profile>>;
  try {
    info = await tf.profile(work);
  } finally {
    profiler.profileKernel = original;
  }
  const wallMs = performance.now() - started;
  // Records arrive in completion order: a kernel's children are the deeper records just before it.
  const exclusive = new Map<string, { ms: number; calls: number }>();
  const childTime: number[] = [];
  info.kernels.forEach((k, i) => {
    const d = depths[i] ?? 0;
    const own = Number(k.kernelTimeMs) || 0;
    const children = childTime[d + 1] ?? 0;
    childTime[d + 1] = 0;
    childTime[d] = (childTime[d] ?? 0) + own;
    const entry = exclusive.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += Math.max(0, own - children);
    entry.calls++;
    exclusive.set(k.name, entry);
  });
  const entries = [...exclusive];
  const totalKernelMs = entries.reduce((a, [, e]) => a + e.ms, 0);
  const timed = totalKernelMs > 0;
  const weight = (e: { ms: number; calls: number }): number => (timed ? e.ms : e.calls);
  const totalWeight = entries.reduce((a, [, e]) => a + weight(e), 0) || 1;
  const top = entries
    .sort((a, b) => weight(b[1]) - weight(a[1]))
    .slice(0, topCount)
    .map(([name, e]) => ({ name, ms: e.ms, calls: e.calls, share: weight(e) / totalWeight }));
  return { timed, totalKernelMs, wallMs, kernelCalls: info.kernels.length, peakBytes: info.peakBytes, top };
}

/** A markdown table of a profile, titled; says when shares are of calls because the backend gave no kernel times. */
export function formatKernelProfile(title: string, profile: KernelProfile): string {
  const basis = profile.timed
    ? `kernel time ${(profile.totalKernelMs / 1000).toFixed(3)} s`
    : 'no kernel times from this backend (WebGPU without timestamp-query): shares are of calls';
  const lines = [
    `${title}: ${profile.kernelCalls} kernel calls, ${basis}, ${(profile.wallMs / 1000).toFixed(2)} s wall under the profiler`,
    '| kernel | exclusive ms | share | calls |',
    '|---|---|---|---|',
    ...profile.top.map((r) => `| ${r.name} | ${profile.timed ? r.ms.toFixed(1) : 'n/a'} | ${(100 * r.share).toFixed(1)}% | ${r.calls} |`),
  ];
  return lines.join('\n');
}
