import type { CliIO, SerxPlugin } from '../contract.ts';
import { isSerxError } from '../errors.ts';
import { BUILTIN_PLUGINS } from '../plugins/builtin.ts';
import { loadPlugin } from '../plugins/load-plugins.ts';

/** Plugins the CLI looks into for `serx <command>`s and for `serx schema`. */
export const DEFAULT_PLUGINS = [
  '@serx/stage-features',
  '@serx/stage-autoencoder',
  '@serx/stage-ser',
  '@serx/stage-analysis',
];

function isMissing(error: unknown, name: string): boolean {
  const cause = (isSerxError(error) ? error.cause : error) as NodeJS.ErrnoException | undefined;
  return cause?.code === 'ERR_MODULE_NOT_FOUND' && String(cause.message).includes(name);
}

/**
 * The default plugins that can be resolved from the current directory. A plugin that is not
 * installed is skipped silently; one that is installed but fails to load is reported on stderr.
 */
export async function loadDefaultPlugins(io: CliIO, extra: readonly string[] = []): Promise<SerxPlugin[]> {
  const plugins: SerxPlugin[] = [];
  for (const name of [...BUILTIN_PLUGINS, ...DEFAULT_PLUGINS, ...extra]) {
    try {
      plugins.push(await loadPlugin(name, io.cwd));
    } catch (error) {
      if (extra.includes(name)) throw error;
      if (!isMissing(error, name))
        io.stderr.write(`warning: plugin ${name} failed to load: ${(error as Error).message}\n`);
    }
  }
  return plugins;
}
