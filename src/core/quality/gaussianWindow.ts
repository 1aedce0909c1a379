// The Gaussian SSIM window (SPEC 4: 5 x 5, sigma 1.5, sum 1), shared by the reference SSIM and the tfjs engine.

/**
 * 1D Gaussian taps g[t] = exp(-(t - size//2)^2 / (2 sigma^2)), normalised to sum 1.
 * The 2D window is the outer product g g^T, so filtering can run as two 1D passes.
 * @example gaussianWindow1D(5, 1.5) // Float64Array(5) [0.1201, 0.2339, 0.2921, 0.2339, 0.1201]
 */
export function gaussianWindow1D(size = 5, sigma = 1.5): Float64Array {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) {
    throw new RangeError(`gaussianWindow: size must be a positive odd integer, got ${size}`);
  }
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new RangeError(`gaussianWindow: sigma must be a positive number, got ${sigma}`);
  }
  const half = (size - 1) / 2;
  const g = new Float64Array(size);
  let sum = 0;
  for (let t = 0; t < size; t++) {
    g[t] = Math.exp(-((t - half) ** 2) / (2 * sigma * sigma));
    sum += g[t];
  }
  for (let t = 0; t < size; t++) g[t] /= sum;
  return g;
}

/**
 * The 2D window as size * size row-major weights (outer product of gaussianWindow1D), sum 1.
 * Row r, column c is at [r * size + c]; the window is symmetric, so correlation = convolution.
 * @example const w = gaussianWindow(); // Float64Array(25), w[12] is the centre weight
 */
export function gaussianWindow(size = 5, sigma = 1.5): Float64Array {
  const g = gaussianWindow1D(size, sigma);
  const w = new Float64Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) w[r * size + c] = g[r] * g[c];
  }
  return w;
}
