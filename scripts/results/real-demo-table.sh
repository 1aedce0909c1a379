#!/usr/bin/env bash
# Evaluates the real-scan demo track's shipped checkpoints on its shipped cases (public/demo/real), both ways round
# (threshold searched on one scan, tested on the other), 3 seeds, plus the model-free Thresh baseline; writes
# public/demo/real/models/results.json (what the page shows) and prints the README's table.
# Usage: bash scripts/results/real-demo-table.sh OUT_DIR [MODELS_DIR]   (resumable; about 8 evaluations of a few
# minutes on 2 cores; MODELS_DIR defaults to public/demo/real/models)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?give an output folder}
models=${2:-public/demo/real/models}
mkdir -p "$out"
R=public/demo/real
case_files() { echo "$R/$1.nii.gz $R/$1_brainmask.nii.gz $R/$1_seg.nii.gz"; }
evaluate() { # name modality model noise score val-case test-case
  [ -s "$out/$1.json" ] && return
  local what=(--model "$models/$3" --noise-level "$4" --score "$5" --alpha 0.84 --seeds 3)
  [ "$3" = thresh ] && what=(--method thresh --seeds 1)
  # shellcheck disable=SC2046 # the file lists are meant to split
  nice -n 15 node bin/fqlab.mjs evaluate "${what[@]}" --modality "$2" --val $(case_files "$6") --test $(case_files "$7") > "$out/$1.json"
}
for modality in T2 FLAIR; do
  m=$(echo "$modality" | tr '[:upper:]' '[:lower:]')
  for pair in "mslub07-$m:tcga-du-7294-$m" "tcga-du-7294-$m:mslub07-$m"; do
    IFS=: read -r val test <<< "$pair"
    evaluate "$m-pddpm-iqa-$test" "$modality" "$m-pddpm-iqa.fqlab" 750 fq "$val" "$test"
    evaluate "$m-pddpm-$test" "$modality" "$m-pddpm.fqlab" 500 l1 "$val" "$test"
    evaluate "$m-thresh-$test" "$modality" thresh 0 l1 "$val" "$test"
  done
done
node scripts/results/real-demo-table.mjs "$out" "$R/models/results.json"
