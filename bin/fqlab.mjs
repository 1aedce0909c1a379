#!/usr/bin/env node
// The `fqlab` command: loads the TypeScript CLI (src/cli/main.ts) through tsx, so Node runs the same core as the browser.
import { register } from 'tsx/esm/api';

const argv = process.argv.slice(2);
register();
try {
  const { main, describeFailure } = await import('../src/cli/main.ts');
  // An error thrown outside the command's own promise chain (a timer, a backend callback) is still one line.
  const crash = (error) => {
    console.error(describeFailure(argv[0] ?? 'fqlab', error, process.env.FQLAB_DEBUG === '1').message);
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  process.exitCode = await main(argv);
} catch (error) {
  const stack = process.env.FQLAB_DEBUG === '1' && error instanceof Error ? `\n${error.stack}` : '';
  console.error(`fqlab: internal error (${String(error).split('\n', 1)[0]}); please report it with the command you ran${stack}`);
  process.exitCode = 1;
}
