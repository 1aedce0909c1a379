// Prints the README's real-scan table (Markdown) from the evaluation JSON files real-table.sh wrote into OUT_DIR.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
const brats = (n) => `BraTS pat000${n}`;
// Per evaluation: the JSON file's suffix and the model column.
const MODELS = [['l1', 'pDDPM (l1 loss)'], ['iqa-fq', 'pDDPM-IQA (FQ loss)'], ['iqa-l1', 'pDDPM-IQA scored with l1']];
const rows = [];
for (const [test, val] of [['MSLUB patient07', 'TCGA-DU-7294'], ['TCGA-DU-7294', 'MSLUB patient07']]) {
  const key = test.startsWith('MSLUB') ? 'mslub' : 'tcga';
  for (const [file, model] of MODELS) {
    rows.push({ train: 'T2: IXI002 (1 healthy subject)', test: `${test} (val: ${val})`, model, file: `t2-${key}-${file}.json` });
  }
}
for (const fold of [1, 2, 3]) {
  const val = (fold % 3) + 1;
  const test = ((fold + 1) % 3) + 1;
  for (const [file, model] of MODELS) {
    rows.push({ train: `FLAIR: lesion-free slices of ${brats(fold)}`, test: `${brats(test)} (val: ${brats(val)})`, model, file: `flair${fold}-${file}.json` });
  }
}
const pct = (s) => (s.mean === null ? 'n/a' : `${(100 * s.mean).toFixed(2)} +- ${(100 * s.std).toFixed(2)}`);
console.log('| healthy training data | test (threshold from) | model | noise | score | DICE % | AUPRC % | AUROC % |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  const path = join(out, row.file);
  if (!existsSync(path)) {
    console.log(`| ${row.train} | ${row.test} | ${row.model} | | | missing: ${row.file} | | |`);
    continue;
  }
  const r = JSON.parse(readFileSync(path, 'utf8'));
  const score = r.score === 'fq' ? `FQ, alpha ${r.alpha}` : r.score;
  console.log(`| ${row.train} | ${row.test} | ${row.model} | ${r.noiseLevel} | ${score} | ${pct(r.mean.dice)} | ${pct(r.mean.auprc)} | ${pct(r.mean.auroc)} |`);
}
