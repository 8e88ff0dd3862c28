import type { SerxPlugin, StageDefinition } from '../contract.ts';
import { inheritDefiningModule } from '../defining-module.ts';
import { ErrorCodes, SerxError } from '../errors.ts';
import { registerArtifactTypes } from './artifact-types.ts';
import { BUILTIN_PLUGIN } from './builtin.ts';
import { paramsValidator } from './params-schema.ts';

export interface RegisteredStage {
  definition: StageDefinition;
  plugin: { name: string; version: string };
}

/** The stages of the loaded plugins, by namespaced name. */
export interface Registry {
  /** Adds a plugin's stages. A stage name registered by another plugin is an error naming both. */
  register(plugin: SerxPlugin): void;
  get(stageName: string): RegisteredStage | undefined;
  /** Registered stage names in registration order. */
  stageNames(): string[];
  plugins(): SerxPlugin[];
  hasPlugin(name: string): boolean;
}

const STAGE_NAME = /^[A-Za-z0-9_-]+:[A-Za-z0-9_:.-]+$/;
/** Input and output names. */
export const PORT_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Built-in stages (`command`) have bare names: no plugin's namespaced name can collide with them. */
const BUILTIN_STAGE_NAME = /^[a-z][a-z0-9-]*$/;

export function createRegistry(plugins: SerxPlugin[] = []): Registry {
  const stages = new Map<string, RegisteredStage>();
  const byName = new Map<string, SerxPlugin>();

  const register = (plugin: SerxPlugin): void => {
    checkPlugin(plugin);
    const known = byName.get(plugin.name);
    if (known) {
      if (known === plugin || known.version === plugin.version) return;
      throw new SerxError(
        ErrorCodes.PLUGIN_INVALID,
        `plugin '${plugin.name}' is loaded twice, as version ${known.version} and ${plugin.version}`,
      );
    }
    const own = new Set<string>();
    for (const definition of plugin.stages) {
      checkStage(plugin, definition);
      const other = stages.get(definition.name);
      if (other || own.has(definition.name)) {
        const by = other ? `'${other.plugin.name}' and '${plugin.name}'` : `'${plugin.name}' twice`;
        throw new SerxError(
          ErrorCodes.PLUGIN_DUPLICATE_STAGE,
          `stage '${definition.name}' is registered by ${by}; rename one`,
        );
      }
      own.add(definition.name);
    }
    registerArtifactTypes(plugin);
    for (const definition of plugin.stages) {
      inheritDefiningModule(definition, plugin);
      stages.set(definition.name, { definition, plugin: { name: plugin.name, version: plugin.version } });
    }
    byName.set(plugin.name, plugin);
  };

  for (const plugin of plugins) register(plugin);
  return {
    register,
    get: (name) => stages.get(name),
    stageNames: () => [...stages.keys()],
    plugins: () => [...byName.values()],
    hasPlugin: (name) => byName.has(name),
  };
}

function checkPlugin(plugin: SerxPlugin): void {
  const ok =
    plugin &&
    typeof plugin.name === 'string' &&
    typeof plugin.version === 'string' &&
    Array.isArray(plugin.stages);
  if (!ok)
    throw new SerxError(
      ErrorCodes.PLUGIN_INVALID,
      'a plugin needs a string name, a string version and a stages array (use definePlugin)',
    );
}

function checkStage(plugin: SerxPlugin, definition: StageDefinition): void {
  const fail = (why: string) =>
    new SerxError(ErrorCodes.PLUGIN_INVALID, `plugin '${plugin.name}': stage '${definition?.name}' ${why}`);
  const pattern = plugin.name === BUILTIN_PLUGIN ? BUILTIN_STAGE_NAME : STAGE_NAME;
  if (typeof definition?.name !== 'string' || !pattern.test(definition.name))
    throw fail('needs a namespaced name like features:mfcc');
  if (typeof definition.version !== 'string') throw fail('needs a string version');
  if (typeof definition.run !== 'function') throw fail('needs a run(ctx) function');
  if (!definition.inputs || !definition.outputs || !definition.params)
    throw fail('needs params, inputs and outputs');
  // Output names become directory names in the cache, input names spec keys: plain names only.
  for (const [kind, names] of [
    ['output', Object.keys(definition.outputs)],
    ['input', Object.keys(definition.inputs)],
  ] as const) {
    const bad = names.find((name) => !PORT_NAME.test(name));
    if (bad !== undefined)
      throw fail(
        `declares ${kind} ${JSON.stringify(bad)}: ${kind} names must match ${PORT_NAME.source} (a letter, then letters, digits, _ or -)`,
      );
  }
  try {
    paramsValidator(definition);
  } catch (cause) {
    throw new SerxError(
      ErrorCodes.PLUGIN_INVALID,
      `plugin '${plugin.name}': stage '${definition.name}' has an invalid params schema: ${(cause as Error).message}`,
      { cause },
    );
  }
}
