#!/usr/bin/env node
// The `serx` CLI. In the monorepo it runs the TypeScript sources through tsx's loader (no build step
// between an edit and a run); an installed package has no src/ and runs the built dist/ directly.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
