#!/usr/bin/env bash
# Regenerates the README's all-methods table on the shipped demo: every method trained as its base (l1 loss, l1 score,
# no AIR) and as X-IQA (FQ loss, FQ score at alpha 0.84, AIR by the modality rule: on, the demo is T1), each with
# several training seeds, thresholds from the 4 lesion validation cases, metrics on the 8 test cases. Each X-IQA model
# is also scored with alpha chosen on those validation cases (best pooled Dice over the protocol's grid), never the test set.
# Usage: bash scripts/results/methods-table.sh OUT_DIR   (resumable: runs already in OUT_DIR are kept)
#   FQLAB_METHODS="ae dae" limits the methods; FQLAB_SEEDS="1 2 3" sets the training seeds (at least 3 for the README);
#   FQLAB_STEPS=N overrides every plan's steps (a quick look, not the README's table).
# The plan below gives each method the preset and steps that fit the CPU budget stated in the README.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?give an output folder}
mkdir -p "$out"
seeds=${FQLAB_SEEDS:-"1 2 3"}
# method preset steps: the largest preset each method trains in about 5 minutes alone on the 2-core VM (batch 8).
plan=(
  "ae small 400"
  "sae small 400"
  "vae small 400"
  "svae small 400"
  "dae tiny 150"
  "fanogan tiny 400"
  "ddpm tiny 250"
  "mddpm tiny 250"
  "pddpm tiny 250"
)
only=${FQLAB_METHODS:-}
healthy=(public/demo/train-*)
healthyVal=(public/demo/val-01_* public/demo/val-02_*)
val=(public/demo/val-0[3-6]_*)
test=(public/demo/test-*)
fqlab() { nice -n 10 node bin/fqlab.mjs "$@"; }
known() { node bin/fqlab.mjs info --method "$1" > /dev/null 2>&1; }

train() { # name method preset steps seed variant
  local name=$1 method=$2 preset=$3 steps=$4 seed=$5 variant=$6
  [ -f "$out/$name/model.fqlab" ] && return
  local iqa=(--loss l1 --air off)
  [ "$variant" = iqa ] && iqa=(--loss fq --alpha 0.84 --air modality)
  fqlab train --method "$method" --healthy "${healthy[@]}" --val "${healthyVal[@]}" --preset "$preset" "${iqa[@]}" \
    --steps "$steps" --batch 8 --seed "$seed" --out "$out/$name" > "$out/$name.train.json"
}
evaluate() { # name variant
  [ -s "$out/$1.json" ] && return
  local score=(--score l1 --noise-level 500)
  [ "$2" = iqa ] && score=(--score fq --alpha 0.84 --noise-level 750)
  fqlab evaluate --model "$out/$1" "${score[@]}" --seeds 1 --val "${val[@]}" --test "${test[@]}" > "$out/$1.json"
}
evaluateValAlpha() { # name: the X-IQA model scored with alpha chosen on the validation cases
  [ -s "$out/$1.val-alpha.json" ] && return
  fqlab evaluate --model "$out/$1" --score fq --alpha-source val-dice --noise-level 750 --seeds 1 --val "${val[@]}" \
    --test "${test[@]}" > "$out/$1.val-alpha.json"
}

runs=()
for entry in "${plan[@]}"; do
  read -r method preset steps <<< "$entry"
  steps=${FQLAB_STEPS:-$steps}
  if [ -n "$only" ] && [[ " $only " != *" $method "* ]]; then continue; fi
  if ! known "$method"; then echo "methods-table.sh: $method is not in this build; skipped" >&2; continue; fi
  for variant in base iqa; do
    for seed in $seeds; do runs+=("$method-$variant-s$seed $method $preset $steps $seed $variant"); done
  done
done
# Two runs side by side (2 cores), each trained then evaluated.
one() {
  read -r name method preset steps seed variant <<< "$1"
  train "$name" "$method" "$preset" "$steps" "$seed" "$variant"
  evaluate "$name" "$variant"
  if [ "$variant" = iqa ]; then evaluateValAlpha "$name"; fi
}
for ((i = 0; i < ${#runs[@]}; i += 2)); do
  one "${runs[i]}" &
  if ((i + 1 < ${#runs[@]})); then one "${runs[i + 1]}" & fi
  wait
done
# The model-free baseline, with and without histogram equalisation (deterministic: one run each).
[ -s "$out/thresh-base.json" ] || fqlab evaluate --method thresh --air off --val "${val[@]}" --test "${test[@]}" --seeds 1 > "$out/thresh-base.json"
[ -s "$out/thresh-iqa.json" ] || fqlab evaluate --method thresh --val "${val[@]}" --test "${test[@]}" --seeds 1 > "$out/thresh-iqa.json"
[ -s "$out/thresh-equalized.json" ] || fqlab evaluate --method thresh --equalize --val "${val[@]}" --test "${test[@]}" --seeds 1 > "$out/thresh-equalized.json"
node scripts/results/methods-table.mjs "$out"
