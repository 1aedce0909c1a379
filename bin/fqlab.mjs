#!/usr/bin/env node
// The `fqlab` command: loads the TypeScript CLI (src/cli/main.ts) through tsx, so Node runs the same core as the browser.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
