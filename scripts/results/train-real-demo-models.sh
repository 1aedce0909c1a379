#!/usr/bin/env bash
# Trains the real-scan demo track's checkpoints (public/demo/real/models) on shippable scans only, one run at a time:
# T2 on IXI002 T2 plus the lesion-free slices of MSLUB patient 07 and TCGA-DU-7294 T2, FLAIR on the lesion-free slices of
# their FLAIR scans (the paper's in-dataset setting); pDDPM (l1) and pDDPM-IQA (fq) each, tiny preset. CPU was scarce:
# the first run (t2-pddpm-iqa, --steps 600 --max-minutes 15) reached step 159 in its 15 minutes, so the other runs
# train exactly 159 steps (equal for l1 and FQ; step-limited, hence seeded and reproducible), with a 30-minute safety cap.
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
train() { # name modality loss "step limits" files...
  local name=$1 modality=$2 loss=$3 limits=$4; shift 4
  [ -f "$out/$name/model.fqlab" ] && return
  # Slices of a scan that hold any lesion voxel are left out of training (the segmentation marks them).
  # shellcheck disable=SC2086 # the step limits are meant to split
  nice -n 15 node bin/fqlab.mjs train --healthy "$@" --modality "$modality" --preset tiny --loss "$loss" --alpha 0.84 \
    --noise simplex $limits --batch 8 --seed 1 --weights-only --out "$out/$name" > "$out/$name.train.json"
}
steps="--steps 159 --max-minutes 30"
names=("${@:-t2-pddpm-iqa t2-pddpm flair-pddpm-iqa flair-pddpm}")
for name in ${names[*]}; do
  case $name in
    t2-pddpm-iqa) train "$name" T2 fq "--steps 600 --max-minutes 15" "${t2[@]}" ;;
    t2-pddpm) train "$name" T2 l1 "$steps" "${t2[@]}" ;;
    flair-pddpm-iqa) train "$name" FLAIR fq "$steps" "${flair[@]}" ;;
    flair-pddpm) train "$name" FLAIR l1 "$steps" "${flair[@]}" ;;
    *) echo "train-real-demo-models.sh: unknown run $name" >&2; exit 2 ;;
  esac
done
