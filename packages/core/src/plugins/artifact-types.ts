/**
 * Artifact types with a format check, collected from every loaded plugin's `artifactTypes`
 * (process-wide, like encoder structures: a stage process loads the same plugins and sees the
 * same types). `files` is built in: any directory.
 */
import type { ArtifactTypeDefinition, SerxPlugin } from '../contract.ts';
import { ErrorCodes, SerxError } from '../errors.ts';

const FILES: ArtifactTypeDefinition = {
  name: 'files',
  description: 'any files; nothing is checked',
  validate: async () => undefined,
};

const types = new Map<string, { type: ArtifactTypeDefinition; plugin: string }>([
  ['files', { type: FILES, plugin: '@serx/core' }],
]);

/** Adds a plugin's artifact types. A type another plugin already defines is an error naming both. */
export function registerArtifactTypes(plugin: SerxPlugin): void {
  for (const type of plugin.artifactTypes ?? []) {
    const known = types.get(type.name);
    if (known && known.type !== type && known.plugin !== plugin.name)
      throw new SerxError(
        ErrorCodes.PLUGIN_INVALID,
        `artifact type '${type.name}' is defined by '${known.plugin}' and '${plugin.name}'; rename one`,
      );
    types.set(type.name, { type, plugin: plugin.name });
  }
}

/** The checked type called `name`, if a loaded plugin defines it. */
export function artifactType(name: string): ArtifactTypeDefinition | undefined {
  return types.get(name)?.type;
}

/** Names of the checked types, sorted. */
export function artifactTypeNames(): string[] {
  return [...types.keys()].sort();
}
