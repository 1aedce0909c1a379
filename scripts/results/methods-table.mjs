// Prints the README's all-methods table (Markdown) from the runs methods-table.sh wrote into OUT_DIR: per method,
// base (l1), X-IQA (FQ at alpha 0.84) and X-IQA with alpha chosen on validation, mean +- population std over training
// seeds, the best of each column in bold.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
const read = (file) => JSON.parse(readFileSync(join(out, file), 'utf8'));
const METRICS = ['dice', 'auprc'];
const VARIANTS = ['base', 'iqa', 'valAlpha'];

/** Per method and variant: the seeds' test-set means, and the training wall times. */
const runs = new Map();
for (const file of readdirSync(out)) {
  const match = /^(\w+)-(base|iqa)-s(\d+)(\.val-alpha)?\.json$/.exec(file);
  // A run still in progress has an empty report: left out until it is written.
  if (!match || statSync(join(out, file)).size === 0) continue;
  const [, method, trained, seed, valAlpha] = match;
  const variant = valAlpha ? 'valAlpha' : trained;
  const report = read(file);
  const trainFile = `${method}-${trained}-s${seed}.train.json`;
  const training = existsSync(join(out, trainFile)) ? read(trainFile) : null;
  const key = `${method}/${variant}`;
  const entry = runs.get(key) ?? { method, variant, model: report.modelInfo, steps: training?.config.steps ?? null, seeds: [], wallSeconds: [] };
  entry.seeds.push({ ...Object.fromEntries(METRICS.map((m) => [m, report.mean[m].mean])), alpha: report.perSeed?.[0]?.alpha ?? report.alpha });
  if (training && !valAlpha) entry.wallSeconds.push(training.wallSeconds);
  runs.set(key, entry);
}

const meanStd = (values) => {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return null;
  const mean = present.reduce((a, b) => a + b, 0) / present.length;
  const variance = present.reduce((a, b) => a + (b - mean) ** 2, 0) / present.length;
  return { mean, std: Math.sqrt(variance), n: present.length };
};

const methods = [...new Set([...runs.values()].map((r) => r.method))];
const rows = methods.map((method) => {
  const cells = {};
  for (const variant of VARIANTS) {
    const entry = runs.get(`${method}/${variant}`);
    for (const metric of METRICS) cells[`${variant}.${metric}`] = entry ? meanStd(entry.seeds.map((s) => s[metric])) : null;
  }
  const any = runs.get(`${method}/iqa`) ?? runs.get(`${method}/base`);
  const wall = meanStd([...VARIANTS.flatMap((v) => runs.get(`${method}/${v}`)?.wallSeconds ?? [])]);
  const chosen = runs.get(`${method}/valAlpha`)?.seeds.map((s) => s.alpha) ?? [];
  return { label: method, model: any.model, steps: any.steps, wall, cells, chosenAlphas: chosen };
});
// Thresh: AIR off as its base, AIR on (the modality rule, as X-IQA applies it), and histogram-equalised.
const threshRows = [['thresh-base.json', 'thresh-iqa.json', 'Thresh (base: AIR off; IQA: AIR on)'], ['thresh-equalized.json', null, 'Thresh, histogram-equalised']];
for (const [baseFile, iqaFile, label] of threshRows) {
  if (!existsSync(join(out, baseFile))) continue;
  const cells = {};
  for (const [variant, file] of [['base', baseFile], ['iqa', iqaFile]]) {
    for (const metric of METRICS) {
      cells[`${variant}.${metric}`] = file && existsSync(join(out, file)) ? meanStd([read(file).mean[metric].mean]) : null;
    }
  }
  rows.push({ label, model: null, steps: null, wall: null, cells, chosenAlphas: [] });
}

const columns = VARIANTS.flatMap((v) => METRICS.map((m) => `${v}.${m}`));
const best = Object.fromEntries(columns.map((c) => [c, Math.max(...rows.map((r) => r.cells[c]?.mean ?? -Infinity))]));
const pct = (s, column) => {
  if (s == null) return '-';
  const text = `${(100 * s.mean).toFixed(1)} +- ${(100 * s.std).toFixed(1)}`;
  return s.mean === best[column] ? `**${text}**` : text;
};
const change = (row, metric) => {
  const base = row.cells[`base.${metric}`];
  const iqa = row.cells[`iqa.${metric}`];
  if (!base || !iqa || base.mean === 0) return '-';
  const relative = (100 * (iqa.mean - base.mean)) / base.mean;
  return `${relative >= 0 ? '+' : ''}${relative.toFixed(0)} %`;
};

console.log('| method | preset (parameters) | steps | training seeds | train time (s) | DICE % | AUPRC % | +IQA DICE % | +IQA AUPRC % | IQA change DICE / AUPRC | +IQA, alpha from val: DICE % | AUPRC % | alphas chosen |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  const m = row.model;
  const model = m ? `${m.preset} (${m.parameters.toLocaleString('en-US')})` : 'no model';
  const seeds = row.cells['base.dice']?.n ?? row.cells['iqa.dice']?.n ?? '-';
  const wall = row.wall ? row.wall.mean.toFixed(0) : '-';
  console.log(
    `| ${row.label} | ${model} | ${row.steps ?? '-'} | ${m ? seeds : '-'} | ${wall} | ${pct(row.cells['base.dice'], 'base.dice')} | ` +
      `${pct(row.cells['base.auprc'], 'base.auprc')} | ${pct(row.cells['iqa.dice'], 'iqa.dice')} | ` +
      `${pct(row.cells['iqa.auprc'], 'iqa.auprc')} | ${change(row, 'dice')} / ${change(row, 'auprc')} | ` +
      `${pct(row.cells['valAlpha.dice'], 'valAlpha.dice')} | ${pct(row.cells['valAlpha.auprc'], 'valAlpha.auprc')} | ${row.chosenAlphas.join(', ') || '-'} |`,
  );
}
