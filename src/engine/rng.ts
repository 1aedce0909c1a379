// The engine's seeded random source (Alea): uniform, integer and normal draws whose full state can be saved in a checkpoint.
import alea from 'alea';

/** Everything needed to continue a stream exactly: Alea's four words plus a cached second Box-Muller normal. */
export interface RngState {
  alea: [number, number, number, number];
  spareNormal: number | null;
}

/**
 * Seeded PRNG. Every random choice of training and inference (slices, boxes, t, noise) draws from
 * one of these, so a seed reproduces a run bit for bit on any backend.
 * @example const rng = new Rng(42); rng.int(4); rng.normal();
 */
export class Rng {
  private readonly source: ReturnType<typeof alea>;
  private spare: number | null = null;

  constructor(seed: number | string) {
    this.source = alea(seed);
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.source.importState(state.alea);
    rng.spare = state.spareNormal;
    return rng;
  }

  state(): RngState {
    return { alea: this.source.exportState(), spareNormal: this.spare };
  }

  /** Uniform on [0, 1). */
  next(): number {
    return this.source();
  }

  /** Uniform integer on [0, n). */
  int(n: number): number {
    return Math.floor(this.source() * n);
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = this.source();
    while (u === 0) u = this.source();
    const v = this.source();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with standard normals. */
  fillNormal(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** A derived seed, so sub-streams (e.g. one per validation set) stay independent of later draws. */
  seed(): number {
    return Math.floor(this.source() * 0x100000000);
  }
}
