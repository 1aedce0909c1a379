// Reconstructions and their quality maps, cached per (model, case, noise level, seed) so alpha changes only rescore.
import { KeyedCache } from './keyedCache.ts';
import { reconstructionKeyString, type ReconstructionKey } from './keys.ts';

/** A reconstruction with the two maps every score kind is built from (SPEC 4), all on the conformed grid. */
export interface CachedReconstruction {
  readonly key: ReconstructionKey;
  /** The model's output x_hat (after AIR space when the model uses AIR; never inverted back). */
  readonly reconstruction: Float32Array;
  /** Whether the scored original is the AIR-transformed image (the model's input), so other structural maps can be derived. */
  readonly airApplied: boolean;
  /** SSIM loss map between the scored original and x_hat. */
  readonly ssimLoss: Float32Array;
  /** l1 map |x - x_hat|. */
  readonly l1: Float32Array;
  /** Milliseconds the model took, for diagnostics. */
  readonly reconstructMs: number;
}

export type ReconstructionCache = KeyedCache<ReconstructionKey, CachedReconstruction>;

/** A least-recently-used cache of reconstructions under a byte budget. */
export function reconstructionCache(maxBytes: number): ReconstructionCache {
  return new KeyedCache({
    keyString: reconstructionKeyString,
    bytesOf: (entry) => entry.reconstruction.byteLength + entry.ssimLoss.byteLength + entry.l1.byteLength,
    maxBytes,
  });
}
