// Reconstructions and their quality maps, cached per (model, case, noise level, seed) so alpha changes only rescore.

/** What identifies one reconstruction: the same model, case, noise level and seed always give the same result. */
export interface ReconstructionKey {
  modelId: string;
  caseId: string;
  noiseLevel: number;
  seed: number;
}

/** A reconstruction with the two maps every score kind is built from (SPEC 4), all on the conformed grid. */
export interface CachedReconstruction {
  readonly key: ReconstructionKey;
  /** The model's output x_hat (after AIR space when the model uses AIR; never inverted back). */
  readonly reconstruction: Float32Array;
  /** SSIM loss map between the scored original and x_hat. */
  readonly ssimLoss: Float32Array;
  /** l1 map |x - x_hat|. */
  readonly l1: Float32Array;
  /** Milliseconds the model took, for diagnostics. */
  readonly reconstructMs: number;
}

/** A stable string for a key. */
export function reconstructionKeyString(key: ReconstructionKey): string {
  return `${key.modelId}|${key.caseId}|${key.noiseLevel}|${key.seed}`;
}

/** Default memory budget: about 90 cases of 96x96x50 (3 float32 maps of 1.8 MB each). */
export const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;

function entryBytes(entry: CachedReconstruction): number {
  return entry.reconstruction.byteLength + entry.ssimLoss.byteLength + entry.l1.byteLength;
}

/** Least-recently-used cache of reconstructions under a byte budget, with hit/miss counters for tests and diagnostics. */
export class ReconstructionCache {
  private readonly entries = new Map<string, CachedReconstruction>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes = DEFAULT_CACHE_BYTES) {}

  get(key: ReconstructionKey): CachedReconstruction | undefined {
    const id = reconstructionKeyString(key);
    const entry = this.entries.get(id);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert so Map order is least- to most-recently used.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  /** Looks up without touching the counters or the recency order. */
  peek(key: ReconstructionKey): CachedReconstruction | undefined {
    return this.entries.get(reconstructionKeyString(key));
  }

  set(entry: CachedReconstruction): void {
    const id = reconstructionKeyString(entry.key);
    const old = this.entries.get(id);
    if (old) {
      this.bytes -= entryBytes(old);
      this.entries.delete(id);
    }
    this.entries.set(id, entry);
    this.bytes += entryBytes(entry);
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes || oldest === id) break;
      this.entries.delete(oldest);
      this.bytes -= entryBytes(value);
    }
  }

  /** Drops every entry matching the filter (a removed case, a retrained model). */
  deleteWhere(matches: (key: ReconstructionKey) => boolean): void {
    for (const [id, entry] of this.entries) {
      if (!matches(entry.key)) continue;
      this.entries.delete(id);
      this.bytes -= entryBytes(entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }
}
