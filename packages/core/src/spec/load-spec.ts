import { dirname, resolve } from 'node:path';
import type { Json } from '../contract.ts';
import { SerxError } from '../errors.ts';
import { expandStages } from '../graph/expand.ts';
import { checkHeldOut, checkHeldOutNames, computeLineage } from '../graph/lineage.ts';
import { topologicalOrder } from '../graph/node-order.ts';
import { orderStages } from '../graph/stage-order.ts';
import type { StagePlan } from '../graph/stage-plan.ts';
import { buildStagePlans } from '../graph/stage-plan.ts';
import type { Graph, GraphNode } from '../graph/types.ts';
import { loadPlugin } from '../plugins/load-plugins.ts';
import type { Registry } from '../plugins/registry.ts';
import { createRegistry } from '../plugins/registry.ts';
import type { SpecDocument } from './document.ts';
import { readDocument } from './document.ts';
import { readSpecTree } from './read-spec-file.ts';
import { IssueList } from './spec-error.ts';
import { toJson } from './yaml-tree.ts';

export interface LoadSpecOptions {
  /** Registry to resolve `uses:` against; the spec's `plugins:` are registered into it. Default: a new one. */
  registry?: Registry;
  /** Environment for `${env.X}`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Extra plugin packages or paths (resolved from `cwd`), e.g. from `--plugin`. */
  plugins?: string[];
  /** Directory the extra `plugins` are resolved from; default `process.cwd()`. */
  cwd?: string;
}

/**
 * Reads a spec (following `extends:`), loads its plugins, validates everything and expands the
 * matrix into the resolved graph. Pure planning: nothing is run and no cache is read. Every
 * problem is a SerxError with the file, line and column of the YAML node at fault.
 */
export async function loadSpec(file: string, options: LoadSpecOptions = {}): Promise<Graph> {
  const env = options.env ?? process.env;
  const registry = options.registry ?? createRegistry();
  const { tree, files } = readSpecTree(file, env);
  const issues = new IssueList();
  const doc = readDocument(tree, env, issues);
  issues.throwIfAny();
  const plugins = await registerPlugins(doc, options.plugins ?? [], options.cwd ?? process.cwd(), registry);
  return planGraph(doc, { registry, file: resolve(file), files, plugins });
}

async function registerPlugins(
  doc: SpecDocument,
  extra: string[],
  cwd: string,
  registry: Registry,
): Promise<string[]> {
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

/** Validation, expansion and lineage over an already read document (registry complete). */
export function planGraph(
  doc: SpecDocument,
  context: { registry: Registry; file: string; files: string[]; plugins: string[] },
): Graph {
  const issues = new IssueList();
  const plans = buildStagePlans(doc, context.registry, issues);
  // Wiring problems do not stop params validation: the user sees both kinds at once.
  let ordered: StagePlan[] | undefined;
  issues.collect(() => {
    ordered = orderStages(plans);
  });
  if (!ordered) return issues.throwAll();
  const expansion = expandStages(ordered, doc, dirname(context.file), issues);
  issues.throwIfAny();
  const specOrder = [...plans]
    .sort((a, b) => a.index - b.index)
    .flatMap((plan) => expansion.stages.get(plan.id)?.nodes ?? []);
  const order = topologicalOrder(expansion.nodes, specOrder);
  computeLineage(expansion.nodes, order, issues);
  checkHeldOutNames(expansion.nodes, doc.heldOutNodes, issues);
  checkHeldOut(expansion.nodes, order, doc.heldOut, expansion.refLocs, issues);
  issues.throwIfAny();
  return {
    spec: {
      name: doc.name,
      file: context.file,
      files: context.files,
      heldOut: doc.heldOut,
      plugins: context.plugins,
      tracking: doc.tracking,
      document: toJson(doc.tree) as { [key: string]: Json },
    },
    nodes: new Map(order.map((id) => [id, expansion.nodes.get(id) as GraphNode])),
    order,
  };
}
