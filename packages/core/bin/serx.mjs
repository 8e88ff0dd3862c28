#!/usr/bin/env node
// The `serx` CLI. In the monorepo it runs the TypeScript sources through core's TypeScript loader
// (src/loader: no build step between an edit and a run); an installed package has no src/ and runs
// the built dist/ directly.
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
// `serx plan … | head`: a reader that closes the pipe early ends serx quietly, with the status a
// writer killed by SIGPIPE has (141, as `git log | head`), unless serx has decided its own already
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 141);
  });
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // answered before any loader or module: what `main` would print, at the cost of one file read
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const source = new URL('../src/cli/main.ts', import.meta.url);
  let main;
  if (existsSync(source)) {
    const { registerTypeScript } = await import('../src/loader/register.mjs');
    registerTypeScript();
    ({ main } = await import(source.href));
  } else {
    ({ main } = await import('../dist/cli/main.js'));
  }
  process.exitCode = await main(args);
}
