#!/usr/bin/env bash
# Regenerates the README's demo results table: the shipped checkpoints evaluated on the shipped demo over 3 seeds,
# each model scored with its own loss's map and with the other (pDDPM-IQA at noise 750, pDDPM at 500, as the paper),
# and the model-free Thresh baseline.
# Usage: bash scripts/results/demo-table.sh OUT_DIR   (writes one JSON per run; about 10 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?give an output folder}
mkdir -p "$out"
val=(public/demo/val-0[3-6]_*)
test=(public/demo/test-*)
run() { # name model noise score alpha
  node bin/fqlab.mjs evaluate --model "public/demo/models/$2" --val "${val[@]}" --test "${test[@]}" \
    --noise-level "$3" --score "$4" --alpha "$5" --seeds 3 > "$out/$1.json"
}
run iqa-fq pddpm-iqa.fqlab 750 fq 0.84 &
run iqa-l1 pddpm-iqa.fqlab 750 l1 0 &
wait
run pddpm-l1 pddpm.fqlab 500 l1 0 &
run pddpm-fq pddpm.fqlab 500 fq 0.84 &
wait
# The paper's model-free baseline: the (AIR-transformed) image itself as the map; deterministic, so one seed.
node bin/fqlab.mjs evaluate --method thresh --val "${val[@]}" --test "${test[@]}" --seeds 1 > "$out/thresh.json"
node -e '
const fs = require("fs");
const pct = (s) => s.mean === null ? "n/a" : `${(100 * s.mean).toFixed(2)} +- ${(100 * s.std).toFixed(2)}`;
console.log("| model (checkpoint) | noise level | score | DICE % | AUPRC % | AUROC % |");
console.log("|---|---|---|---|---|---|");
for (const name of ["pddpm-l1", "pddpm-fq", "iqa-l1", "iqa-fq", "thresh"]) {
  const r = JSON.parse(fs.readFileSync(`${process.argv[1]}/${name}.json`, "utf8"));
  const thresh = r.modelInfo.method === "thresh";
  const model = thresh ? "Thresh (no model, 1 seed: deterministic)" : r.modelInfo.loss === "fq" ? "pDDPM-IQA (FQ loss)" : "pDDPM (l1 loss)";
  const score = thresh ? "intensity" : r.score === "fq" ? `FQ, alpha ${r.alpha}` : r.score;
  console.log(`| ${model} | ${thresh ? "-" : r.noiseLevel} | ${score} | ${pct(r.mean.dice)} | ${pct(r.mean.auprc)} | ${pct(r.mean.auroc)} |`);
}' "$out"
