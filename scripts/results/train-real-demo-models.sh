#!/usr/bin/env bash
# Trains the real-scan demo track's checkpoints (public/demo/real/models) on shippable scans only, one run at a time:
# T2 on IXI002 T2 plus the lesion-free slices of MSLUB patient 07 and TCGA-DU-7294 T2, FLAIR on the lesion-free slices of
# their FLAIR scans (the paper's in-dataset setting); pDDPM (l1) and pDDPM-IQA (fq) each, tiny preset, 15 minutes each.
# Usage: bash scripts/results/train-real-demo-models.sh OUT_DIR [NAME...]   (resumable: finished runs are kept)
# Copy OUT_DIR/NAME/model.fqlab and NAME.train.json to public/demo/real/models/NAME.fqlab and NAME.training.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?give an output folder}
shift
D=${FQLAB_DATA:-../shared/data}
[ -d "$D/lesion" ] || { echo "train-real-demo-models.sh: $D/lesion not found; set FQLAB_DATA to the shared data folder" >&2; exit 2; }
mkdir -p "$out"
t2=("$D/healthy/IXI002_T2.nii.gz" "$D/healthy/IXI002_T2_brainmask.nii.gz"
  "$D/lesion/MSLUB_patient07/T2.nii.gz" "$D/lesion/MSLUB_patient07/GOLD_STANDARD.nii.gz"
  "$D/lesion/TCGA-DU-7294/T2.nii.gz" "$D/lesion/TCGA-DU-7294/seg.nii.gz")
flair=("$D/lesion/MSLUB_patient07/FLAIR.nii.gz" "$D/lesion/MSLUB_patient07/GOLD_STANDARD.nii.gz"
  "$D/lesion/TCGA-DU-7294/FLAIR.nii.gz" "$D/lesion/TCGA-DU-7294/seg.nii.gz")
train() { # name modality loss files...
  local name=$1 modality=$2 loss=$3; shift 3
  [ -f "$out/$name/model.fqlab" ] && return
  # Slices of a scan that hold any lesion voxel are left out of training (the segmentation marks them).
  nice -n 15 node bin/fqlab.mjs train --healthy "$@" --modality "$modality" --preset tiny --loss "$loss" --alpha 0.84 \
    --noise simplex --steps 600 --max-minutes 15 --batch 8 --seed 1 --weights-only --out "$out/$name" > "$out/$name.train.json"
}
names=("${@:-t2-pddpm-iqa t2-pddpm flair-pddpm-iqa flair-pddpm}")
for name in ${names[*]}; do
  case $name in
    t2-pddpm-iqa) train "$name" T2 fq "${t2[@]}" ;;
    t2-pddpm) train "$name" T2 l1 "${t2[@]}" ;;
    flair-pddpm-iqa) train "$name" FLAIR fq "${flair[@]}" ;;
    flair-pddpm) train "$name" FLAIR l1 "${flair[@]}" ;;
    *) echo "train-real-demo-models.sh: unknown run $name" >&2; exit 2 ;;
  esac
done
