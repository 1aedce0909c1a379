// The whole test suite in one command: lint, typecheck, generated WebAssembly up to date, unit tests (Vitest), browser tests (Playwright).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.FQLAB_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`No Chromium at ${chromium}: install it with "sudo apt-get install -y chromium" (or set FQLAB_CHROMIUM to its path).`);
  process.exit(1);
}

const steps = [
  ['lint', ['npx', 'eslint', '.']],
  ['typecheck', ['npx', 'tsc', '-p', '.']],
  ['WebAssembly kernels built from their source', ['node', 'scripts/wasm/build.mjs', '--check']],
  ['unit tests', ['npx', 'vitest', 'run']],
  ['browser tests', ['npx', 'playwright', 'test']],
];

for (const [name, [command, ...args]] of steps) {
  console.log(`\n== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${name} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}
console.log('\nAll checks passed.');
