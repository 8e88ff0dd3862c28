/**
 * Plugins every spec has without listing them under `plugins:`. They are loaded from their module
 * file like any plugin, so process executors and cluster jobs load them the same way.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ext = extname(fileURLToPath(import.meta.url)); // .ts in the monorepo, .js when built

/** Their name: their stages may have a bare name (`uses: command`). */
export const BUILTIN_PLUGIN = '@serx/core';

/** Module files of the built-in plugins. */
export const BUILTIN_PLUGINS: readonly string[] = [
  fileURLToPath(new URL(`../command/plugin${ext}`, import.meta.url)),
];
