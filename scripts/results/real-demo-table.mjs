// Writes the real-scan demo track's results.json (the page's stored comparison) and prints the README table, from the
// evaluation JSON files real-demo-table.sh wrote into OUT_DIR. Usage: node real-demo-table.mjs OUT_DIR RESULTS_JSON
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [out, resultsPath] = process.argv.slice(2);
const MODELS = [['pddpm', 'pDDPM (l1 loss, l1 score, noise 500)'], ['pddpm-iqa', 'pDDPM-IQA (FQ loss, FQ score, noise 750)'], ['thresh', 'Thresh (the image itself; 1 seed: deterministic)']];
const rows = [];
const table = ['| modality | threshold from | test | model | DICE % | AUPRC % |', '|---|---|---|---|---|---|'];
const pct = (s) => (s.mean === null ? 'n/a' : `${(100 * s.mean).toFixed(1)} +- ${(100 * s.std).toFixed(1)}`);
for (const modality of ['T2', 'FLAIR']) {
  const m = modality.toLowerCase();
  for (const [val, test] of [[`mslub07-${m}`, `tcga-du-7294-${m}`], [`tcga-du-7294-${m}`, `mslub07-${m}`]]) {
    for (const [model, label] of MODELS) {
      const r = JSON.parse(readFileSync(join(out, `${m}-${model}-${test}.json`), 'utf8'));
      table.push(`| ${modality} | ${val} | ${test} | ${label} | ${pct(r.mean.dice)} | ${pct(r.mean.auprc)} |`);
      rows.push({ modality, model, score: r.score, noiseLevel: r.noiseLevel, thresholdCase: val, testCase: test, seeds: r.seeds, dice: r.mean.dice, auprc: r.mean.auprc });
    }
  }
}
const results = {
  format: 'fqlab-demo-results/1',
  description:
    'fqlab evaluate on the real-scan demo track: the shipped checkpoints of public/demo/real/models on the shipped cases; threshold by the ' +
    'reference search on thresholdCase, DICE (component filter) and AUPRC on testCase, mean +- std over seeds (scripts/results/real-demo-table.sh)',
  rows,
};
writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
console.log(table.join('\n'));
