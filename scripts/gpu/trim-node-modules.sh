#!/usr/bin/env bash
# Copies the few node_modules files scripts/gpu/measure.sh loads (about 50 MB, linux-x64) to gpu-carry/node_modules, small enough to carry to a GPU machine with no network.
# The list was taken by recording every module a measurement child loads (ESM resolve hook plus require.cache).
# Usage: scripts/gpu/trim-node-modules.sh [source node_modules]   (then carry gpu-carry/node_modules; measure.sh links it as node_modules)
set -euo pipefail
cd "$(dirname "$0")/../.."
source_dir="${1:-node_modules}"
dest=gpu-carry/node_modules
rm -rf "$dest"
mkdir -p "$dest"
copy() { # copy <path relative to node_modules>...
  for item in "$@"; do
    [ -e "$source_dir/$item" ] || { echo "trim-node-modules.sh: $source_dir/$item is missing (run npm ci in the main checkout first)" >&2; exit 1; }
    mkdir -p "$dest/$(dirname "$item")"
    cp -RL "$source_dir/$item" "$dest/$item"
  done
}
for package in tfjs tfjs-core tfjs-backend-cpu tfjs-backend-webgl tfjs-backend-webgpu tfjs-converter tfjs-data tfjs-layers; do
  copy "@tensorflow/$package/package.json"
done
copy @tensorflow/tfjs/dist/tf.node.js @tensorflow/tfjs-core/dist/tf-core.node.js @tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.node.js \
  @tensorflow/tfjs-backend-webgl/dist/tf-backend-webgl.node.js @tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.node.js \
  @tensorflow/tfjs-converter/dist/tf-converter.node.js @tensorflow/tfjs-data/dist/tf-data.node.js @tensorflow/tfjs-layers/dist/tf-layers.node.js
# The WASM backend is imported by the engine (and is the fallback when WebGPU does not start).
copy @tensorflow/tfjs-backend-wasm/package.json @tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js \
  @tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm @tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm
copy webgpu/package.json webgpu/index.js webgpu/dist/linux-x64/dawn.node
copy tsx/package.json tsx/dist esbuild/package.json esbuild/lib @esbuild/linux-x64
copy long seedrandom alea simplex-noise zod/package.json zod/index.js zod/v4
du -sh "$dest"
