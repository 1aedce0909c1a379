#!/usr/bin/env bash
# Measures the engine on a GPU through WebGPU in Node (Dawn) for every preset, stock and custom kernels side by side; writes $OUT/gpu-measure.json and prints a table.
#
# On a lent GPU machine (no network, nothing installed): run from the repository root with node_modules carried in.
# A trimmed node_modules is enough (see the README's "Model presets"): @tensorflow/tfjs and its tfjs-* packages
# (tfjs-core, tfjs-backend-cpu, tfjs-backend-webgl, tfjs-converter, tfjs-data, tfjs-layers), tfjs-backend-wasm,
# tfjs-backend-webgpu, their dependencies (long, seedrandom, @webgpu/types, ...), webgpu (Dawn for Node), alea,
# simplex-noise, zod, and tsx with its dependencies (esbuild, @esbuild/linux-x64, get-tsconfig, resolve-pkg-maps).
#
# Knobs (environment): FQLAB_MEASURE_PRESETS=tiny,small,base,paper  FQLAB_MEASURE_KERNEL_SETS=stock,custom
#   FQLAB_MEASURE_BATCH=32  FQLAB_MEASURE_MICRO_BATCH=(per preset)  FQLAB_MEASURE_MAX_STEPS=3
#   FQLAB_MEASURE_BUDGET_S=420 (whole run; each preset and kernel set gets a share and is killed past it)
#   FQLAB_MEASURE_VOLUME_SLICES=50 (reconstruct a 96x96xN volume)  FQLAB_MEASURE_FORCE=1 (run every phase even past its estimate)
#   OUT (or FQLAB_MEASURE_OUT) = output folder.
#   FQLAB_MEASURE_SWIFTSHADER=1: the smoke run on a machine without a GPU (Chromium's SwiftShader Vulkan), e.g.
#   FQLAB_MEASURE_SWIFTSHADER=1 FQLAB_MEASURE_PRESETS=tiny FQLAB_MEASURE_BATCH=1 FQLAB_MEASURE_BUDGET_S=200 scripts/gpu/measure.sh
#   (about 2 minutes on a 2-core VM; SwiftShader is too slow for training there, so the step is skipped by its estimate;
#   FQLAB_MEASURE_FORCE=1 FQLAB_MEASURE_MAX_STEPS=1 FQLAB_MEASURE_VOLUME_SLICES=1 FQLAB_MEASURE_BUDGET_S=1200 runs every phase once)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${FQLAB_MEASURE_SWIFTSHADER:-0}" = 1 ]; then
  export LD_LIBRARY_PATH="/usr/lib/chromium${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
  export FQLAB_ALLOW_SOFTWARE_WEBGPU=1
fi
for package in @tensorflow/tfjs @tensorflow/tfjs-backend-webgpu webgpu tsx; do
  [ -d "node_modules/$package" ] || { echo "measure.sh: node_modules/$package is missing; carry node_modules (see the comment at the top of scripts/gpu/measure.sh)" >&2; exit 1; }
done
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
export OUT="${OUT:-${FQLAB_MEASURE_OUT:-gpu-measure-out}}"
exec node --import tsx scripts/gpu/measure.ts
