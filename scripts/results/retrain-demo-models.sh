#!/usr/bin/env bash
# Retrains the shipped demo checkpoints with the commands recorded in public/demo/models/README.md and compares the
# results byte for byte with the shipped files (training is seeded; identical on the same tfjs backend).
# Usage: bash scripts/results/retrain-demo-models.sh OUT_DIR   (two tiny runs side by side: 12-35 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?give an output folder}
mkdir -p "$out"
train() { # name loss
  node bin/fqlab.mjs train --healthy public/demo/train-* --val public/demo/val-01_* public/demo/val-02_* --preset tiny \
    --loss "$2" --alpha 0.84 --noise simplex --steps 600 --batch 8 --seed 1 --out "$out/$1" > "$out/$1.json"
}
train pddpm-iqa fq &
train pddpm l1 &
wait
status=0
for name in pddpm-iqa pddpm; do
  if cmp -s "$out/$name/model.fqlab" "public/demo/models/$name.fqlab"; then echo "$name: identical to the shipped checkpoint"
  else echo "$name: differs from the shipped checkpoint"; status=1; fi
done
exit $status
