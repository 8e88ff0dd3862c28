import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SerxPlugin } from '../contract.ts';
import { ErrorCodes, SerxError } from '../errors.ts';
import { registerArtifactTypes } from './artifact-types.ts';
import { esmScopeError, isEsmInCommonJsScope } from './module-scope.ts';
import { inPluginHook } from './plugin-hook.ts';

const registered = new WeakSet<SerxPlugin>();
const origins = new Map<string, { specifier: string; fromDir: string }>();

/** How the plugin named `name` was loaded, so another process can load it the same way. */
export function pluginOrigin(name: string): { specifier: string; fromDir: string } | undefined {
  return origins.get(name);
}

/**
 * Every plugin this process loaded from a module, in load order: a stage process loads (and sets
 * registers) all of them before running a stage, since a stage may use what another plugin's
 * `register()` registered (an encoder structure or a corpus reader from the study's own plugin).
 */
export function loadedPluginOrigins(): { specifier: string; fromDir: string }[] {
  return [...origins.values()];
}

/**
 * Imports plugin packages by package name (resolved from `fromDir` upwards, then from the
 * current directory) or by relative/absolute path, and runs each plugin's `register` once. A
 * plugin module exports `plugin` (or a default export) made with `definePlugin`. A package whose
 * `exports` has a `./plugin` entry is loaded through it rather than its main entry: a library's
 * barrel imports everything it offers, while the plugin module can keep to stage definitions (their
 * `run` imports the implementation when a stage runs), which is most of a no-op rerun's start-up.
 */
export async function loadPlugins(names: readonly string[], fromDir: string): Promise<SerxPlugin[]> {
  const plugins: SerxPlugin[] = [];
  for (const name of names) plugins.push(await loadPlugin(name, fromDir));
  return plugins;
}

let typeScriptLoader: Promise<void> | undefined;

/**
 * The built serx (an installed package, dist/*.js) runs without a TypeScript loader; a study's own
 * plugin written in TypeScript gets core's (src/loader) registered on first need, in this thread.
 * In the monorepo every entry already runs under it.
 */
function ensureTypeScriptLoader(file: string | undefined): Promise<void> | undefined {
  if (!file || !/\.[cm]?tsx?$/.test(file) || !import.meta.url.endsWith('.js')) return undefined;
  typeScriptLoader ??= import('../loader/register.mjs').then(({ registerTypeScript }) => {
    registerTypeScript();
  });
  return typeScriptLoader;
}

export async function loadPlugin(name: string, fromDir: string): Promise<SerxPlugin> {
  const file = resolvePluginEntry(name, fromDir);
  let module: Record<string, unknown>;
  try {
    await ensureTypeScriptLoader(file);
    module = (await import(file ? pathToFileURL(file).href : name)) as Record<string, unknown>;
  } catch (cause) {
    if (file && isEsmInCommonJsScope(cause, file)) throw await esmScopeError(name, file, cause);
    const detail = (cause as Error).message?.split('\n')[0];
    throw new SerxError(ErrorCodes.PLUGIN_LOAD, `cannot load plugin '${name}' (from ${fromDir}): ${detail}`, {
      cause,
    });
  }
  const plugin = (module.plugin ?? module.default) as SerxPlugin | undefined;
  if (!plugin || typeof plugin !== 'object' || !Array.isArray(plugin.stages)) {
    throw new SerxError(
      ErrorCodes.PLUGIN_INVALID,
      `module '${name}' exports no plugin (it exports: ${Object.keys(module).join(', ') || 'nothing'}; expected \`export const plugin = definePlugin(...)\` or a default export)`,
    );
  }
  registerArtifactTypes(plugin);
  if (typeof plugin.name === 'string' && !origins.has(plugin.name))
    origins.set(plugin.name, { specifier: name, fromDir });
  if (typeof (plugin as { setup?: unknown }).setup === 'function') {
    throw new SerxError(
      ErrorCodes.PLUGIN_INVALID,
      `plugin '${plugin.name}' (${name}) has a \`setup()\` hook: it is called \`register()\` now (\`serx setup\` runs a plugin's \`provision\` steps); rename it`,
    );
  }
  if (plugin.register && !registered.has(plugin)) {
    registered.add(plugin);
    const register = plugin.register.bind(plugin);
    await inPluginHook(plugin.name, 'register()', register);
  }
  return plugin;
}

/** The file to import, or undefined to fall back on a bare `import(name)`. */
export function resolvePluginEntry(name: string, fromDir: string): string | undefined {
  if (name.startsWith('.') || isAbsolute(name)) {
    const target = resolve(fromDir, name);
    if (!existsSync(target))
      throw new SerxError(ErrorCodes.PLUGIN_LOAD, `plugin path ${target} does not exist`);
    return statSync(target).isDirectory() ? packageEntry(target) : target;
  }
  for (const start of [resolve(fromDir), process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return packageEntry(candidate);
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function packageEntry(dir: string): string {
  const manifest = join(dir, 'package.json');
  if (existsSync(manifest)) {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      exports?: unknown;
      main?: string;
      module?: string;
    };
    const entry = pluginExport(pkg.exports) ?? exportTarget(pkg.exports) ?? pkg.module ?? pkg.main;
    if (entry) return resolve(dir, entry);
  }
  for (const index of ['index.ts', 'index.js', 'index.mjs', 'src/index.ts']) {
    if (existsSync(join(dir, index))) return join(dir, index);
  }
  throw new SerxError(
    ErrorCodes.PLUGIN_LOAD,
    `plugin directory ${dir} has no entry point (package.json exports/main or index.ts)`,
  );
}

/** The `./plugin` entry of a package's `exports`, if it has one. */
function pluginExport(exports: unknown): string | undefined {
  if (!exports || typeof exports !== 'object' || !('./plugin' in exports)) return undefined;
  return exportTarget((exports as Record<string, unknown>)['./plugin']);
}

function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (!exports || typeof exports !== 'object') return undefined;
  const map = exports as Record<string, unknown>;
  if ('.' in map) return exportTarget(map['.']);
  for (const condition of ['import', 'node', 'default']) {
    const target = exportTarget(map[condition]);
    if (target) return target;
  }
  return undefined;
}
