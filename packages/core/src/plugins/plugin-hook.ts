import { SerxError, toSerxError } from '../errors.ts';

/**
 * Runs a plugin hook (its `setup`, a CLI command it contributes). A serx error (by code, whichever
 * copy of @serx/core made it) passes through with its own code; anything else becomes PLUGIN_ERROR
 * naming the plugin and the hook, with the original as the cause, so a plugin's bug is never
 * reported as serx's.
 */
export async function inPluginHook<T>(plugin: string, hook: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const serx = toSerxError(error);
    if (serx) throw serx;
    const detail = error instanceof Error ? error.message : String(error);
    throw new SerxError('PLUGIN_ERROR', `plugin ${plugin}: ${hook} threw: ${detail}`, { cause: error });
  }
}
