// The cosine noise schedule of improved DDPM (Nichol & Dhariwal 2021) with T = 1000, as pDDPM uses it (SPEC 3).

/** Number of diffusion steps. */
export const DIFFUSION_STEPS = 1000;
/** Offset s of the cosine schedule. */
export const COSINE_OFFSET = 0.008;
/** Upper clip of each beta. */
export const MAX_BETA = 0.999;
/** Most diffusion steps a schedule may have: 100x the paper's, and 4 x 800 kB of tables (a bound against corrupt settings). */
export const MAX_DIFFUSION_STEPS = 100_000;

/** Per-step schedule values, index t = 0 .. T-1 (t = noiseLevel - 1). */
export interface NoiseSchedule {
  readonly steps: number;
  readonly betas: Float64Array;
  /** Cumulative product of (1 - beta) up to and including t. */
  readonly alphaBar: Float64Array;
  readonly sqrtAlphaBar: Float64Array;
  readonly sqrtOneMinusAlphaBar: Float64Array;
}

/** alpha_bar(u) = cos(((u + s) / (1 + s)) * pi / 2)^2 for u = t / T in [0, 1]. */
function cosineAlphaBar(u: number, s: number): number {
  return Math.cos(((u + s) / (1 + s)) * (Math.PI / 2)) ** 2;
}

/**
 * betas[t] = min(1 - abar((t+1)/T) / abar(t/T), 0.999) and alphaBar = cumprod(1 - betas), as both
 * improved-diffusion and the pDDPM code compute them.
 * @example cosineSchedule().alphaBar[499] // noise level 500
 */
export function cosineSchedule(steps = DIFFUSION_STEPS, s = COSINE_OFFSET): NoiseSchedule {
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_DIFFUSION_STEPS) {
    throw new RangeError(`cosineSchedule: steps must be an integer in 1 .. ${MAX_DIFFUSION_STEPS}, got ${steps}`);
  }
  if (!Number.isFinite(s) || s < 0) throw new RangeError(`cosineSchedule: offset s must be finite and >= 0, got ${s}`);
  const betas = new Float64Array(steps);
  const alphaBar = new Float64Array(steps);
  const sqrtAlphaBar = new Float64Array(steps);
  const sqrtOneMinusAlphaBar = new Float64Array(steps);
  let product = 1;
  for (let t = 0; t < steps; t++) {
    betas[t] = Math.min(1 - cosineAlphaBar((t + 1) / steps, s) / cosineAlphaBar(t / steps, s), MAX_BETA);
    product *= 1 - betas[t];
    alphaBar[t] = product;
    sqrtAlphaBar[t] = Math.sqrt(product);
    sqrtOneMinusAlphaBar[t] = Math.sqrt(1 - product);
  }
  return { steps, betas, alphaBar, sqrtAlphaBar, sqrtOneMinusAlphaBar };
}
