import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, SerxError } from '../../src/errors.ts';
import { loadPlugin } from '../../src/plugins/load-plugins.ts';
import { inPluginHook } from '../../src/plugins/plugin-hook.ts';

describe('errors thrown by plugin hooks', () => {
  it('a plugin whose register() throws fails to load with PLUGIN_ERROR naming the plugin, the hook and the cause', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-plugin-hook-'));
    writeFileSync(
      join(dir, 'broken.mjs'),
      "export const plugin = { name: 'broken-plugin', version: '1', stages: [], register() { null.x; } };\n",
    );
    const error = await loadPlugin('./broken.mjs', dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SerxError);
    expect(error).toMatchObject({ code: 'PLUGIN_ERROR' });
    expect((error as SerxError).message).toMatch(
      /^plugin broken-plugin: register\(\) threw: Cannot read properties of null/,
    );
    expect((error as SerxError).cause).toBeInstanceOf(TypeError);
    expect(exitCodeOf('PLUGIN_ERROR')).toBe(1);
  });

  it("passes a plugin's own SerxError through with its code", async () => {
    const own = new SerxError('INPUT_DATA', 'corpus folder is empty');
    await expect(inPluginHook('p', "command 'x'", () => Promise.reject(own))).rejects.toBe(own);
    await expect(inPluginHook('p', "command 'x'", async () => 7)).resolves.toBe(7);
  });

  it('recognises a serx error by its code even when another copy of @serx/core made it', async () => {
    // what a plugin bundling its own @serx/core throws: not our SerxError class, but our code
    const foreign = Object.assign(new Error('corpus folder is empty'), { code: 'INPUT_DATA' });
    const error = await inPluginHook('p', 'setup()', () => Promise.reject(foreign)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerxError);
    expect((error as SerxError).format()).toBe('corpus folder is empty [INPUT_DATA]');
  });
});
