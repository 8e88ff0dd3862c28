/**
 * The command line's side of overrides: `--set` / `--matrix` in the order typed (later wins), and
 * `--variant AXIS=VALUE`, which selects matrix variants to run without changing any key.
 */
import type { Json } from '../contract.ts';
import { ErrorCodes, SerxError } from '../errors.ts';
import type { Graph } from '../graph/types.ts';
import { type Selection, selectNodes } from '../run/select.ts';
import { overrideLocation, type SpecOverride } from '../spec/overrides.ts';
import { suggest } from '../spec/suggest.ts';
import { parseYamlTree, toJson } from '../spec/yaml-tree.ts';

interface Token {
  kind: string;
  name?: string;
  value?: string | undefined;
}

/** The `--set` and `--matrix` options of parsed arguments (`parseArgs` tokens), in command-line order. */
export function overridesOf(tokens: readonly Token[] | undefined): SpecOverride[] {
  return (tokens ?? []).flatMap((token) =>
    token.kind === 'option' && (token.name === 'set' || token.name === 'matrix') && token.value !== undefined
      ? [{ flag: token.name === 'set' ? ('--set' as const) : ('--matrix' as const), text: token.value }]
      : [],
  );
}

/** `--set a=1 --matrix seed=1` as one shell-like string per override (for records and jobs). */
export function overrideArgv(overrides: readonly SpecOverride[]): string[] {
  return overrides.flatMap((o) => [o.flag, o.text]);
}

function scalar(text: string): Json {
  try {
    const value = toJson(parseYamlTree(text, '--variant'));
    return value !== null && typeof value === 'object' ? text : value;
  } catch {
    return text;
  }
}

function variantError(arg: string, cwd: string, message: string): SerxError {
  return new SerxError(ErrorCodes.SPEC_OVERRIDE, message, { loc: overrideLocation(arg, cwd) });
}

/**
 * The node ids `--variant AXIS=VALUE[,VALUE]` selects: the nodes (among `--only` / `--from`'s, if
 * given) whose matrix variant has one of the values on every named axis. What they need upstream
 * runs too (the runner adds it); nothing else does, and no key changes, so the cache entries are
 * exactly those of the same variants in a full run. Undefined when no `--variant` was given.
 */
export function variantSelection(
  graph: Graph,
  texts: readonly string[] | undefined,
  selection: Selection,
  cwd: string,
): string[] | undefined {
  if (!texts || texts.length === 0) return undefined;
  const matrix = (graph.spec.document.matrix ?? {}) as { [axis: string]: Json[] };
  const wanted = new Map<string, Json[]>();
  texts.forEach((text, i) => {
    const arg = `--variant #${i + 1}`;
    const eq = text.indexOf('=');
    const axis = eq < 0 ? '' : text.slice(0, eq).trim();
    const raw = eq < 0 ? '' : text.slice(eq + 1).trim();
    if (!axis || !raw) throw variantError(arg, cwd, `'${text}': expected AXIS=VALUE (e.g. --variant seed=1)`);
    const values = matrix[axis];
    if (!values) {
      const axes = Object.keys(matrix);
      throw variantError(
        arg,
        cwd,
        `'${text}': the spec has no matrix axis '${axis}'${suggest(axis, axes)}; axes: ${axes.join(', ') || 'none'}`,
      );
    }
    const picked = raw.split(',').map((item) => {
      const value = scalar(item.trim());
      const found = values.find((v) => v === value || String(v) === String(value));
      if (found === undefined)
        throw variantError(
          arg,
          cwd,
          `'${text}': ${axis} has no value ${item.trim()}; its values: ${values.map(String).join(', ')}`,
        );
      return found;
    });
    wanted.set(axis, [...(wanted.get(axis) ?? []), ...picked]);
  });
  const among = (selection.only?.length ?? 0) + (selection.from?.length ?? 0) > 0;
  const candidates = among ? selectNodes(graph, selection) : graph.order;
  const ids = candidates.filter((id) => {
    const variant = graph.nodes.get(id)?.variant ?? {};
    return [...wanted].every(([axis, values]) => axis in variant && values.includes(variant[axis] as Json));
  });
  if (ids.length === 0) {
    const what = [...wanted].map(([axis, values]) => `${axis}=${values.join(',')}`).join(' ');
    throw new SerxError(
      ErrorCodes.USAGE,
      `--variant ${what}: no selected node varies over ${[...wanted.keys()].join(', ')}`,
    );
  }
  return ids;
}
