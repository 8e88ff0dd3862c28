import { dirname, resolve } from 'node:path';
import { SerxError } from '../errors.ts';
import { BUILTIN_PLUGINS } from '../plugins/builtin.ts';
import { loadPlugin } from '../plugins/load-plugins.ts';
import { createRegistry, type Registry } from '../plugins/registry.ts';
import { readDocument, type SpecDocument } from '../spec/document.ts';
import { applyOverrides, type SpecOverride } from '../spec/overrides.ts';
import { readSpecTree } from '../spec/read-spec-file.ts';
import { IssueList } from '../spec/spec-error.ts';
import { buildGraph } from './build-graph.ts';
import type { Graph } from './types.ts';

export interface LoadSpecOptions {
  /** Registry to resolve `uses:` against; the spec's `plugins:` are registered into it. Default: a new one. */
  registry?: Registry;
  /** Environment for `${env.X}`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Extra plugin packages or paths (resolved from `cwd`), e.g. from `--plugin`. */
  plugins?: string[];
  /** Directory the extra `plugins` (and relative paths in `overrides`) are resolved from; default `process.cwd()`. */
  cwd?: string;
  /**
   * Command-line overrides (`--set`, `--matrix`), applied in order over the merged spec before it is
   * validated, as a file that `extends:` it would be. Errors they cause point at the argument.
   */
  overrides?: readonly SpecOverride[];
}

/**
 * Reads a spec (following `extends:`), loads its plugins, validates everything and expands the
 * matrix into the resolved graph. Pure planning: nothing is run and no cache is read. Every
 * problem is a SerxError with the file, line and column of the YAML node at fault.
 */
export async function loadSpec(file: string, options: LoadSpecOptions = {}): Promise<Graph> {
  const env = options.env ?? process.env;
  const registry = options.registry ?? createRegistry();
  const cwd = options.cwd ?? process.cwd();
  const read = readSpecTree(file, env);
  const overridden = applyOverrides(read.tree, options.overrides ?? [], cwd);
  try {
    const issues = new IssueList();
    const doc = readDocument(overridden.tree, env, issues);
    issues.throwIfAny();
    const plugins = await registerPlugins(doc, options.plugins ?? [], cwd, registry);
    const graph = buildGraph(doc, { registry, file: resolve(file), files: read.files, plugins });
    if (overridden.applied.length > 0) graph.spec.overrides = overridden.applied;
    return graph;
  } catch (error) {
    throw overridden.attribute(error);
  }
}

async function registerPlugins(
  doc: SpecDocument,
  extra: string[],
  cwd: string,
  registry: Registry,
): Promise<string[]> {
  for (const file of BUILTIN_PLUGINS) registry.register(await loadPlugin(file, cwd));
  const requests = [
    ...extra.map((name) => ({ name, fromDir: cwd, loc: undefined })),
    ...doc.plugins.map((node) => ({
      name: node.value as string,
      fromDir: dirname(node.loc.file),
      loc: node.loc,
    })),
  ];
  const names: string[] = [];
  for (const request of requests) {
    try {
      const plugin = await loadPlugin(request.name, request.fromDir);
      registry.register(plugin);
      if (!names.includes(plugin.name)) names.push(plugin.name);
    } catch (error) {
      if (!(error instanceof SerxError) || !request.loc) throw error;
      throw new SerxError(error.code, error.message, {
        loc: request.loc,
        specPath: 'plugins',
        cause: error.cause ?? error,
      });
    }
  }
  return names;
}
