#!/usr/bin/env bash
# Measures the engine on a GPU through WebGPU in Node (Dawn) for every preset, stock and custom kernels side by side; writes $OUT/gpu-measure.json and prints a table.
#
# On a lent GPU machine (no network, nothing installed) it needs node_modules brought along; the whole one is too big
# (a carry limit of 64 MiB), so scripts/gpu/trim-node-modules.sh first copies the files it loads (46 MB) to gpu-carry/node_modules:
# the node builds of @tensorflow/tfjs, tfjs-core, tfjs-backend-cpu, -webgl, -webgpu, -wasm, tfjs-converter, tfjs-data,
# tfjs-layers; webgpu (Dawn for Node, linux-x64); tsx, esbuild, @esbuild/linux-x64; long, seedrandom, alea,
# simplex-noise, zod. Carry gpu-carry/node_modules; this script links it as node_modules when that is missing.
#
# Knobs (environment): FQLAB_MEASURE_PRESETS=tiny,small,base,paper  FQLAB_MEASURE_KERNEL_SETS=stock,custom
#   FQLAB_MEASURE_BATCH=32  FQLAB_MEASURE_MICRO_BATCH=(per preset)  FQLAB_MEASURE_MAX_STEPS=3
#   FQLAB_MEASURE_BUDGET_S=400 (whole run; each preset and kernel set gets a share and is killed 10 s past it)
#   FQLAB_MEASURE_VOLUME_SLICES=50 (reconstruct a 96x96xN volume)  FQLAB_MEASURE_FORCE=1 (run every phase even past its estimate)
#   OUT (or FQLAB_MEASURE_OUT) = output folder.
#   FQLAB_MEASURE_SWIFTSHADER=1: the smoke run on a machine without a GPU (Chromium's SwiftShader Vulkan), e.g.
#   FQLAB_MEASURE_SWIFTSHADER=1 FQLAB_MEASURE_PRESETS=tiny FQLAB_MEASURE_BATCH=1 FQLAB_MEASURE_BUDGET_S=200 scripts/gpu/measure.sh
#   (1-2 minutes on a 2-core VM; SwiftShader is too slow for training there, so the step is skipped by its estimate;
#   FQLAB_MEASURE_FORCE=1 FQLAB_MEASURE_MAX_STEPS=1 FQLAB_MEASURE_VOLUME_SLICES=1 FQLAB_MEASURE_BUDGET_S=1200 runs every phase once)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${FQLAB_MEASURE_SWIFTSHADER:-0}" = 1 ]; then
  export LD_LIBRARY_PATH="/usr/lib/chromium${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
  export FQLAB_ALLOW_SOFTWARE_WEBGPU=1
fi
# A carried trimmed copy (scripts/gpu/trim-node-modules.sh) stands in for a missing or dangling node_modules.
if [ ! -e node_modules/@tensorflow/tfjs ] && [ -d gpu-carry/node_modules ]; then
  if [ -L node_modules ]; then rm node_modules; fi
  [ -e node_modules ] || ln -s gpu-carry/node_modules node_modules
fi
for package in @tensorflow/tfjs @tensorflow/tfjs-backend-webgpu webgpu tsx; do
  [ -d "node_modules/$package" ] || { echo "measure.sh: node_modules/$package is missing; carry node_modules (see the comment at the top of scripts/gpu/measure.sh)" >&2; exit 1; }
done
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
export OUT="${OUT:-${FQLAB_MEASURE_OUT:-gpu-measure-out}}"
exec node --import tsx scripts/gpu/measure.ts
