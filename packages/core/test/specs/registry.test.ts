import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../src/contract.ts';
import { definePlugin, defineStage } from '../../src/contract.ts';
import { ErrorCodes, SerxError } from '../../src/errors.ts';
import { loadPlugins } from '../../src/plugins/load-plugins.ts';
import { createRegistry } from '../../src/plugins/registry.ts';
import { plugin } from '../fixtures/plugin/index.ts';

const stage = (name: string, params: JsonSchema = { type: 'object', properties: {} }) =>
  defineStage({
    name,
    version: '1',
    params,
    inputs: {},
    outputs: { out: { type: 'x' } },
    run: async () => {},
  });

function thrown(fn: () => unknown): SerxError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SerxError) return error;
    throw error;
  }
  throw new Error('expected a SerxError');
}

describe('createRegistry', () => {
  it('registers stages by namespaced name with their plugin', () => {
    const registry = createRegistry([plugin]);
    expect(registry.stageNames()).toEqual([
      'test:source',
      'test:scale',
      'test:sum',
      'test:train',
      'test:evaluate',
      'test:report',
      'test:fail',
      'test:sleep',
      'test:folder',
    ]);
    expect(registry.get('test:sum')?.plugin).toEqual({ name: 'serx-test-plugin', version: '1.0.0' });
    registry.register(plugin);
    expect(registry.plugins()).toHaveLength(1);
  });

  it('refuses a stage name registered by two plugins, naming both', () => {
    const registry = createRegistry([definePlugin({ name: 'a', version: '1', stages: [stage('x:one')] })]);
    const error = thrown(() =>
      registry.register(definePlugin({ name: 'b', version: '1', stages: [stage('x:two'), stage('x:one')] })),
    );
    expect(error.code).toBe(ErrorCodes.PLUGIN_DUPLICATE_STAGE);
    expect(error.message).toBe("stage 'x:one' is registered by 'a' and 'b'; rename one");
    expect(registry.get('x:two')).toBeUndefined();
  });

  it('refuses un-namespaced names, bad schemas and a plugin loaded at two versions', () => {
    const registry = createRegistry();
    expect(
      thrown(() => registry.register(definePlugin({ name: 'a', version: '1', stages: [stage('plain')] })))
        .code,
    ).toBe(ErrorCodes.PLUGIN_INVALID);
    const badSchema = stage('a:bad', { type: 'object', properties: { n: { type: 'integr' } } });
    expect(
      thrown(() => registry.register(definePlugin({ name: 'a', version: '1', stages: [badSchema] }))).message,
    ).toContain('invalid params schema');
    const typo = stage('a:typo', { type: 'object', properties: { n: { type: 'integer', minimun: 1 } } });
    expect(
      thrown(() => registry.register(definePlugin({ name: 'a', version: '1', stages: [typo] }))).message,
    ).toContain('unknown keyword: "minimun"');
    registry.register(definePlugin({ name: 'a', version: '1', stages: [stage('a:ok')] }));
    expect(
      thrown(() => registry.register(definePlugin({ name: 'a', version: '2', stages: [] }))).message,
    ).toContain('version 1 and 2');
  });
});

describe('loadPlugins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serx-plugins-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a package by name from node_modules above the spec directory, and a relative path', async () => {
    const pkg = join(dir, 'node_modules', '@acme', 'serx-extra');
    mkdirSync(join(pkg, 'lib'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: '@acme/serx-extra',
        type: 'module',
        exports: { '.': { import: './lib/main.mjs' } },
      }),
    );
    writeFileSync(
      join(pkg, 'lib', 'main.mjs'),
      `export let setups = 0;
       export default { name: '@acme/serx-extra', version: '2.0.0', register() { setups++; },
         stages: [{ name: 'acme:noop', version: '1', params: { type: 'object' }, inputs: {}, outputs: {}, run: async () => {} }] };`,
    );
    mkdirSync(join(dir, 'specs', 'deep'), { recursive: true });
    const [extra] = await loadPlugins(['@acme/serx-extra'], join(dir, 'specs', 'deep'));
    expect(extra?.name).toBe('@acme/serx-extra');
    expect(extra?.stages.map((s) => s.name)).toEqual(['acme:noop']);
    // A package directory given as a path resolves through its package.json too; setup runs once.
    const [again] = await loadPlugins([pkg], '/');
    expect(again).toBe(extra);
    const module = (await import(pathToFileURL(join(pkg, 'lib', 'main.mjs')).href)) as { setups: number };
    expect(module.setups).toBe(1);
    const [local] = await loadPlugins(['./fixtures/plugin/index.ts'], join(import.meta.dirname, '..'));
    expect(local).toBe(plugin);
  });

  it("loads a package through its './plugin' export, without its main entry (the library barrel)", async () => {
    const pkg = join(dir, 'node_modules', '@acme', 'serx-split');
    mkdirSync(join(pkg, 'lib'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: '@acme/serx-split',
        type: 'module',
        exports: { '.': { import: './lib/index.mjs' }, './plugin': { import: './lib/plugin.mjs' } },
      }),
    );
    // the barrel would fail to load: a plugin package's library is not imported to load its stages
    writeFileSync(join(pkg, 'lib', 'index.mjs'), `throw new Error('the library barrel was imported');`);
    writeFileSync(
      join(pkg, 'lib', 'plugin.mjs'),
      `export const plugin = { name: '@acme/serx-split', version: '1.0.0',
         stages: [{ name: 'split:noop', version: '1', params: { type: 'object' }, inputs: {}, outputs: {}, run: async () => {} }] };`,
    );
    const [split] = await loadPlugins(['@acme/serx-split'], dir);
    expect(split?.stages.map((s) => s.name)).toEqual(['split:noop']);
  });

  it('reports a missing package as PLUGIN_LOAD', async () => {
    const error = await loadPlugins(['@acme/not-installed'], dir).catch((e: unknown) => e);
    expect((error as SerxError).code).toBe(ErrorCodes.PLUGIN_LOAD);
    expect((error as SerxError).message).toContain("cannot load plugin '@acme/not-installed'");
  });
});
