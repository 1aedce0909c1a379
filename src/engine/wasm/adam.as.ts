// AssemblyScript source of the Adam update for WebAssembly SIMD, run in place on tfjs's WASM memory (../wasmAdam.ts links
// it there); built by scripts/wasm/build.mjs with an imported memory and no data of its own.
//
// One pass per weight tensor instead of tfjs's chain of about 12 elementwise kernels, with the same float32 operations in
// the same order (adam.ts), so the results are bit for bit those of the chain:
//   m' = m * beta1 + g * (1 - beta1),  v' = v * beta2 + (g * g) * (1 - beta2),
//   p' = p - (m' / (sqrt(v') / secondCorrection + epsilon)) * stepSize.

/** Writes p', m' and v' of `count` floats (the inputs are left as they are: other tensors may share their data). */
export function adamUpdate(
  p: usize, m: usize, v: usize, g: usize, count: i32, pOut: usize, mOut: usize, vOut: usize,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, secondCorrection: f32, epsilon: f32, stepSize: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(oneMinusBeta2);
  const correction = f32x4.splat(secondCorrection);
  const eps = f32x4.splat(epsilon);
  const step = f32x4.splat(stepSize);
  const vectors = <usize>(count >> 2) << 4;
  for (let at: usize = 0; at < vectors; at += 16) {
    const gv = v128.load(g + at);
    const mv = f32x4.add(f32x4.mul(v128.load(m + at), b1), f32x4.mul(gv, c1));
    const vv = f32x4.add(f32x4.mul(v128.load(v + at), b2), f32x4.mul(f32x4.mul(gv, gv), c2));
    const denominator = f32x4.add(f32x4.div(f32x4.sqrt(vv), correction), eps);
    v128.store(mOut + at, mv);
    v128.store(vOut + at, vv);
    v128.store(pOut + at, f32x4.sub(v128.load(p + at), f32x4.mul(f32x4.div(mv, denominator), step)));
  }
  for (let at = vectors; at < (<usize>count << 2); at += 4) {
    const gs = load<f32>(g + at);
    const ms = load<f32>(m + at) * beta1 + gs * oneMinusBeta1;
    const vs = load<f32>(v + at) * beta2 + gs * gs * oneMinusBeta2;
    store<f32>(mOut + at, ms);
    store<f32>(vOut + at, vs);
    store<f32>(pOut + at, load<f32>(p + at) - (ms / (Mathf.sqrt(vs) / secondCorrection + epsilon)) * stepSize);
  }
}
