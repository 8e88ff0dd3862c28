// The module map of packages/core/README.md, enforced: folders of src/ import each other in one
// direction only. A new folder must be placed in LAYERS (and in the README's map).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Lowest first: a module may import from its own layer's module or from lower layers. */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'threads.ts', 'seeded-random.ts', 'defining-module.ts', 'user-cache.ts', 'loader'],
  ['contract.ts'],
  ['stats', 'plugins'],
  ['command'],
  ['spec'],
  ['graph'],
  ['cache', 'tracking'],
  ['run'],
  ['cli'],
  ['index.ts', 'stage.ts'],
];

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) && !entry.name.includes('.test.') ? [path] : [];
  });
}

/** The top-level folder (or top-level file) of src/ a path belongs to. */
const unitOf = (file: string) => relative(src, file).split(sep)[0] as string;

interface Edge {
  from: string;
  to: string;
  file: string;
  target: string;
}

function unitEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    for (const match of text.matchAll(IMPORT)) {
      const target = resolve(dirname(file), (match[1] ?? match[2]) as string);
      const [from, to] = [unitOf(file), unitOf(target)];
      if (from !== to) edges.push({ from, to, file: relative(src, file), target: relative(src, target) });
    }
  }
  return edges;
}

/** A cycle of units as `a → b → a`, with the file imports that make it; undefined if none. */
function findCycle(edges: readonly Edge[]): string | undefined {
  const next = new Map<string, Edge[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e]);
  const state = new Map<string, 'open' | 'done'>();
  const path: Edge[] = [];
  const visit = (unit: string): Edge[] | undefined => {
    state.set(unit, 'open');
    for (const e of next.get(unit) ?? []) {
      if (state.get(e.to) === 'open') return [...path.slice(path.findIndex((p) => p.from === e.to)), e];
      if (!state.has(e.to)) {
        path.push(e);
        const found = visit(e.to);
        if (found) return found;
        path.pop();
      }
    }
    state.set(unit, 'done');
    return undefined;
  };
  for (const unit of next.keys()) {
    const cycle = state.has(unit) ? undefined : visit(unit);
    if (cycle) return cycle.map((e) => `${e.from} → ${e.to} (${e.file} imports ${e.target})`).join('\n');
  }
  return undefined;
}

/** The files `entry` loads with it: its static imports, transitively (dynamic imports load later). */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return; // (an import inside a template's text)
    seen.add(file);
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    for (const match of text.matchAll(
      /(?:^|[\s;])(?:import|export)\s(?!type\s)[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    ))
      visit(resolve(dirname(file), match[1] as string));
  };
  visit(entry);
  return [...seen].map((file) => relative(src, file)).sort();
}

describe('the import graph of @serx/core', () => {
  it('the plugin entry (@serx/core/stage) loads the contract and its leaves, none of the pipeline', () => {
    const loaded = staticClosure(join(src, 'stage.ts'));
    expect(loaded).toContain('contract.ts');
    expect(loaded).toContain('errors.ts');
    const pipeline = loaded.filter((f) => /^(cli|run|graph|spec|tracking|command)[/\\]|^index\.ts$/.test(f));
    expect(pipeline).toEqual([]);
    expect(loaded.filter((f) => f.startsWith(`cache${sep}`))).toEqual([join('cache', 'canonical-json.ts')]);
    // the index loads the pipeline (the check sees it)
    expect(staticClosure(join(src, 'index.ts'))).toContain(join('run', 'run-graph.ts'));
  });

  const edges = unitEdges();

  it('sees the imports (sanity: the parser finds known edges)', () => {
    expect(edges).toContainEqual(
      expect.objectContaining({ from: 'cli', to: 'graph', file: join('cli', 'context.ts') }),
    );
    expect(edges.length).toBeGreaterThan(50);
  });

  it('has no cycle between folders', () => {
    expect(findCycle(edges)).toBeUndefined();
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const e = (from: string, to: string): Edge => ({ from, to, file: `${from}/x.ts`, target: `${to}/y.ts` });
    expect(findCycle([e('a', 'b'), e('b', 'c'), e('c', 'b')])).toBe(
      'b → c (b/x.ts imports c/y.ts)\nc → b (c/x.ts imports b/y.ts)',
    );
    expect(findCycle([e('a', 'b'), e('b', 'c'), e('a', 'c')])).toBeUndefined();
  });

  it('imports only downwards through the layers of the module map', () => {
    const layer = new Map(LAYERS.flatMap((units, i) => units.map((u) => [u, i] as const)));
    const units = new Set(sourceFiles(src).map(unitOf));
    const unplaced = [...units].filter((u) => !layer.has(u));
    expect(unplaced, 'place new folders in LAYERS and in packages/core/README.md').toEqual([]);
    const upward = edges
      .filter((e) => (layer.get(e.to) as number) > (layer.get(e.from) as number))
      .map((e) => `${e.file} imports ${e.target} (${e.from} is below ${e.to})`);
    expect(upward).toEqual([]);
  });
});
