// Seeded random numbers for the demo data: one Alea stream per case, so every file is reproducible byte for byte.
import Alea from 'alea';

/** A seeded source of uniform and Gaussian numbers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal (Box-Muller; the spare value is kept for the next call). */
  normal(): number;
}

/** A generator seeded with `seed` (Alea accepts any string; the same seed always gives the same stream). */
export function seededRandom(seed: string): Random {
  const alea = Alea(seed);
  let spare: number | null = null;
  const next = (): number => alea();
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    normal: () => {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      // 1 - u keeps the logarithm finite (Alea returns values in [0, 1)).
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}
