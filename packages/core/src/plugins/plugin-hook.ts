import { SerxError } from '../errors.ts';

/**
 * Runs a plugin hook (its `setup`, a CLI command it contributes). A SerxError passes through with
 * its own code; anything else becomes PLUGIN_ERROR naming the plugin and the hook, with the
 * original as the cause, so a plugin's bug is never reported as serx's.
 */
export async function inPluginHook<T>(plugin: string, hook: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof SerxError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new SerxError('PLUGIN_ERROR', `plugin ${plugin}: ${hook} threw: ${detail}`, { cause: error });
  }
}
