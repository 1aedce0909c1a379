#!/usr/bin/env bash
# Regenerates the README's real-scan table: tiny models trained on ../shared/data (T2: IXI002; FLAIR: each BraTS case's
# lesion-free slices in turn), each tested on the other scans with the threshold from a third, 3 evaluation seeds.
# Usage: bash scripts/results/real-table.sh OUT_DIR   (resumable: models and evaluations already in OUT_DIR are kept;
# about 8 training runs of 12-17 min and 15 evaluations of about 1 min on 2 cores). The reference preparation:
# read-time CurvatureFlow smoothing and AIR by the per-modality rule (off for T2, on for FLAIR), fqlab's defaults.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?give an output folder}
D=${FQLAB_DATA:-../shared/data}
[ -d "$D/lesion" ] || { echo "real-table.sh: $D/lesion not found; set FQLAB_DATA to the shared data folder" >&2; exit 2; }
mkdir -p "$out"
fqlab() { nice -n 10 node bin/fqlab.mjs "$@"; }
brats() { echo "$D/lesion/BraTS2013_pat000$1/FLAIR_zscored.nii.gz $D/lesion/BraTS2013_pat000$1/brainmask.nii.gz $D/lesion/BraTS2013_pat000$1/seg.nii.gz"; }
mslub="$D/lesion/MSLUB_patient07/T2.nii.gz $D/lesion/MSLUB_patient07/GOLD_STANDARD.nii.gz"
tcga="$D/lesion/TCGA-DU-7294/T2.nii.gz $D/lesion/TCGA-DU-7294/seg.nii.gz"
train() { # name modality loss healthy-files...
  local name=$1 modality=$2 loss=$3; shift 3
  [ -f "$out/$name/model.fqlab" ] && return
  fqlab train --healthy "$@" --modality "$modality" --preset tiny --loss "$loss" --steps 300 --batch 8 \
    --seed 1 --out "$out/$name" > "$out/$name.train.json"
}
evaluate() { # name model modality noise score "val files" "test files"
  [ -s "$out/$1.json" ] && return
  # shellcheck disable=SC2086 # the file lists are meant to split
  fqlab evaluate --model "$out/$2" --modality "$3" --noise-level "$4" --score "$5" --alpha 0.84 --seeds 3 \
    --val $6 --test $7 > "$out/$1.json"
}
# Two runs at a time (2 cores): T2 models, then the BraTS folds (train on A, threshold on B, test on C).
train t2-l1 T2 l1 "$D/healthy/IXI002_T2.nii.gz" "$D/healthy/IXI002_T2_brainmask.nii.gz" &
train t2-iqa T2 fq "$D/healthy/IXI002_T2.nii.gz" "$D/healthy/IXI002_T2_brainmask.nii.gz" &
wait
for fold in 1 2 3; do
  # shellcheck disable=SC2046
  train "flair$fold-l1" FLAIR l1 $(brats "$fold") &
  # shellcheck disable=SC2046
  train "flair$fold-iqa" FLAIR fq $(brats "$fold") &
  wait
done
for pair in "mslub:$mslub:$tcga" "tcga:$tcga:$mslub"; do
  IFS=: read -r test testFiles valFiles <<< "$pair"
  evaluate "t2-$test-l1" t2-l1 T2 500 l1 "$valFiles" "$testFiles" &
  evaluate "t2-$test-iqa-fq" t2-iqa T2 750 fq "$valFiles" "$testFiles" &
  wait
  evaluate "t2-$test-iqa-l1" t2-iqa T2 750 l1 "$valFiles" "$testFiles"
done
for fold in 1 2 3; do
  val=$(( fold % 3 + 1 )); test=$(( (fold + 1) % 3 + 1 ))
  evaluate "flair$fold-l1" "flair$fold-l1" FLAIR 500 l1 "$(brats $val)" "$(brats $test)" &
  evaluate "flair$fold-iqa-fq" "flair$fold-iqa" FLAIR 750 fq "$(brats $val)" "$(brats $test)" &
  wait
  evaluate "flair$fold-iqa-l1" "flair$fold-iqa" FLAIR 750 l1 "$(brats $val)" "$(brats $test)"
done
node scripts/results/real-table.mjs "$out"
