#!/usr/bin/env bash
# Regenerates the README's all-methods tables: every method trained as its base (l1 loss, l1 score, no AIR) and as
# X-IQA (FQ loss, FQ score at alpha 0.84, AIR by the modality rule), each with several training seeds. Each X-IQA model
# is also scored with alpha chosen on the validation cases (best pooled Dice over the protocol's grid), never the test set.
# Two datasets (FQLAB_DATASET):
#   demo (default): the shipped synthetic demo (T1, AIR on): train on its healthy volumes, threshold on the 4 lesion
#     validation cases, metrics on the 8 test cases;
#   brats-flair: real FLAIR scans from ../shared/data (FQLAB_DATA), the paper's in-dataset setting on one fold: train on
#     BraTS2013 patient 1's lesion-free slices, threshold on patient 2, metrics on patient 3 (read-time smoothing, AIR on).
# Usage: bash scripts/results/methods-table.sh OUT_DIR   (resumable: runs already in OUT_DIR are kept)
#   FQLAB_METHODS="ae dae" limits the methods; FQLAB_SEEDS="1 2 3" sets the training seeds (at least 3 for the README);
#   FQLAB_STEPS=N overrides every plan's steps (a quick look, not the README's table).
# The plan below gives each method the preset and steps that fit the CPU budget stated in the README.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?give an output folder}
mkdir -p "$out"
seeds=${FQLAB_SEEDS:-"1 2 3"}
# method preset steps batch: each model gets about one minute of training alone on the 2-core VM (Node, WASM, one
# thread), the budget stated in the README; the tiny presets learn the most in it. svae's batch counts whole volumes
# (50 slices each), the others' count slices.
plan=(
  "ae tiny 300 8"
  "sae tiny 300 8"
  "vae tiny 300 8"
  "svae tiny 40 1"
  "dae tiny 300 8"
  "fanogan tiny 60 8"
  "ddpm tiny 60 8"
  "mddpm tiny 60 8"
  "pddpm tiny 60 8"
)
only=${FQLAB_METHODS:-}
dataset=${FQLAB_DATASET:-demo}
case "$dataset" in
  demo)
    healthy=(public/demo/train-*)
    healthyVal=(--val public/demo/val-01_* public/demo/val-02_*)
    val=(public/demo/val-0[3-6]_*)
    test=(public/demo/test-*)
    modality=() ;; # read from the file names (T1)
  brats-flair)
    D=${FQLAB_DATA:-../shared/data}
    [ -d "$D/lesion" ] || { echo "methods-table.sh: $D/lesion not found; set FQLAB_DATA to the shared data folder" >&2; exit 2; }
    brats() { local c=$D/lesion/BraTS2013_pat000$1; echo "$c/FLAIR_zscored.nii.gz $c/brainmask.nii.gz $c/seg.nii.gz"; }
    read -r -a healthy <<< "$(brats 1)"
    healthyVal=()
    read -r -a val <<< "$(brats 2)"
    read -r -a test <<< "$(brats 3)"
    modality=(--modality FLAIR) ;;
  *) echo "methods-table.sh: FQLAB_DATASET must be demo or brats-flair, not $dataset" >&2; exit 2 ;;
esac
fqlab() { nice -n 10 node bin/fqlab.mjs "$@"; }
known() { node bin/fqlab.mjs info --method "$1" > /dev/null 2>&1; }

train() { # name method preset steps batch seed variant
  local name=$1 method=$2 preset=$3 steps=$4 batch=$5 seed=$6 variant=$7
  [ -f "$out/$name/model.fqlab" ] && return
  local iqa=(--loss l1 --air off)
  [ "$variant" = iqa ] && iqa=(--loss fq --alpha 0.84 --air modality)
  fqlab train --method "$method" --healthy "${healthy[@]}" "${healthyVal[@]}" "${modality[@]}" --preset "$preset" "${iqa[@]}" \
    --steps "$steps" --batch "$batch" --seed "$seed" --out "$out/$name" > "$out/$name.train.json"
}
evaluate() { # name variant
  [ -s "$out/$1.json" ] && return
  local score=(--score l1 --noise-level 500)
  [ "$2" = iqa ] && score=(--score fq --alpha 0.84 --noise-level 750)
  fqlab evaluate --model "$out/$1" "${modality[@]}" "${score[@]}" --seeds 1 --val "${val[@]}" --test "${test[@]}" > "$out/$1.json"
}
evaluateValAlpha() { # name: the X-IQA model scored with alpha chosen on the validation cases
  [ -s "$out/$1.val-alpha.json" ] && return
  fqlab evaluate --model "$out/$1" "${modality[@]}" --score fq --alpha-source val-dice --noise-level 750 --seeds 1 --val "${val[@]}" \
    --test "${test[@]}" > "$out/$1.val-alpha.json"
}

runs=()
for entry in "${plan[@]}"; do
  read -r method preset steps batch <<< "$entry"
  steps=${FQLAB_STEPS:-$steps}
  if [ -n "$only" ] && [[ " $only " != *" $method "* ]]; then continue; fi
  if ! known "$method"; then echo "methods-table.sh: $method is not in this build; skipped" >&2; continue; fi
  for variant in base iqa; do
    for seed in $seeds; do runs+=("$method-$variant-s$seed $method $preset $steps $batch $seed $variant"); done
  done
done
# Two runs side by side (2 cores), each trained then evaluated.
one() {
  read -r name method preset steps batch seed variant <<< "$1"
  train "$name" "$method" "$preset" "$steps" "$batch" "$seed" "$variant"
  evaluate "$name" "$variant"
  if [ "$variant" = iqa ]; then evaluateValAlpha "$name"; fi
}
for ((i = 0; i < ${#runs[@]}; i += 2)); do
  one "${runs[i]}" &
  if ((i + 1 < ${#runs[@]})); then one "${runs[i + 1]}" & fi
  wait
done
# The model-free baseline, with and without histogram equalisation (deterministic: one run each).
[ -s "$out/thresh-base.json" ] || fqlab evaluate --method thresh "${modality[@]}" --air off --val "${val[@]}" --test "${test[@]}" --seeds 1 > "$out/thresh-base.json"
[ -s "$out/thresh-iqa.json" ] || fqlab evaluate --method thresh "${modality[@]}" --val "${val[@]}" --test "${test[@]}" --seeds 1 > "$out/thresh-iqa.json"
[ -s "$out/thresh-equalized.json" ] || fqlab evaluate --method thresh "${modality[@]}" --equalize --val "${val[@]}" --test "${test[@]}" --seeds 1 > "$out/thresh-equalized.json"
node scripts/results/methods-table.mjs "$out"
