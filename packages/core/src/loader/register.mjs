// Runs TypeScript in this thread: registers ./typescript-hooks.mjs (esbuild's transform, kept by
// content; see there) and turns source maps on, so stack traces name .ts lines. serx's own entries
// (the CLI in the repository, stage processes, worker threads) call it before importing a .ts
// module, and so does plugin loading before a study's TypeScript plugin. Once per thread.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

let registered = false;

export function registerTypeScript() {
  if (registered) return;
  registered = true;
  process.setSourceMapsEnabled(true);
  register(new URL('./typescript-hooks.mjs', import.meta.url));
}

/** The URL that imports `file` as an ES module whatever its package scope says (once registered). */
export function asEsModule(file) {
  return `${pathToFileURL(file).href}?serx-es-module`;
}
