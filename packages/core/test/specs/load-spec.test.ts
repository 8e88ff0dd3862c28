import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePlugin, defineStage } from '../../src/contract.ts';
import type { SerxError } from '../../src/errors.ts';
import { ErrorCodes } from '../../src/errors.ts';
import { loadSpec } from '../../src/graph/load-spec.ts';
import type { GraphNode, InputRef } from '../../src/graph/types.ts';
import { createRegistry } from '../../src/plugins/registry.ts';

const positive = join(import.meta.dirname, 'positive');

function node(graph: { nodes: Map<string, GraphNode> }, id: string): GraphNode {
  const found = graph.nodes.get(id);
  if (!found) throw new Error(`no node ${id}; have ${[...graph.nodes.keys()].join(', ')}`);
  return found;
}

describe('extends, vars and env', () => {
  const file = join(positive, 'extends', 'ablation.yaml');

  it('merges the child over its parent, keeping each path relative to the file that wrote it', async () => {
    const graph = await loadSpec(file, { env: {} });
    expect(graph.spec.name).toBe('ablation');
    expect(graph.spec.files).toEqual([file, join(positive, 'extends', 'base', 'base.yaml')]);
    // Plugins add up over extends (the same file listed twice loads once).
    expect(graph.spec.plugins).toEqual(['serx-test-plugin', 'serx-extra-plugin']);
    expect(graph.spec.document.plugins).toHaveLength(2);
    expect(graph.order).toEqual(['src', 'doubled', 'tripled', 'local']);
    // `file` was written in base/base.yaml: relative to base/, through vars.data's default.
    expect(node(graph, 'src').params).toEqual({
      corpus: 'emodb',
      file: join(positive, 'extends', 'base', 'data', 'numbers.json'),
      values: [1, 2, 3],
    });
    // The child overrides vars.factor; the parent's `${vars.factor}` sees the child's value.
    expect(node(graph, 'doubled').params).toEqual({ factor: 5 });
    expect(node(graph, 'doubled').seed).toBe(3);
    expect(node(graph, 'tripled').seed).toBe(7);
    expect(node(graph, 'local').params.file).toBe(join(positive, 'extends', 'local.json'));
    expect(node(graph, 'local').params.corpus).toBe('emovo-5');
    expect(node(graph, 'doubled').loc).toEqual({
      file: join(positive, 'extends', 'ablation.yaml'),
      line: 9,
      col: 3,
    });
    expect(node(graph, 'local').plugin).toEqual({ name: 'serx-extra-plugin', version: '0.2.0' });
    expect(graph.spec.document.vars).toEqual({ data: './data', factor: 5 });
  });

  it('reads env variables (an absolute path stays as it is)', async () => {
    const graph = await loadSpec(file, { env: { SERX_DATA: '/corpora' } });
    expect(node(graph, 'src').params.file).toBe('/corpora/numbers.json');
  });
});

describe('matrix', () => {
  it('expands only what varies; the shared upstream appears once', async () => {
    const graph = await loadSpec(join(positive, 'matrix', 'sweep.yaml'));
    const byStage = (stageId: string) => graph.order.filter((id) => node(graph, id).stageId === stageId);
    expect(byStage('emodb')).toEqual(['emodb']);
    expect(byStage('scaled')).toEqual(['scaled']);
    expect(byStage('train')).toEqual([
      'train[seed=1,lr=0.1]',
      'train[seed=1,lr=0.5]',
      'train[seed=2,lr=0.1]',
      'train[seed=2,lr=0.5]',
      'train[seed=3,lr=0.1]',
      'train[seed=3,lr=0.5]',
    ]);
    expect(byStage('eval')).toHaveLength(6);
    expect(byStage('per_lr')).toHaveLength(6);
    expect(graph.nodes.size).toBe(4 + 6 * 3);
    const train = node(graph, 'train[seed=2,lr=0.5]');
    expect(train.variant).toEqual({ seed: 2, lr: 0.5 });
    expect(train.seed).toBe(2);
    expect(train.params).toEqual({ lr: 0.5, epochs: 5 });
    expect(train.inputs).toEqual({ data: [{ node: 'scaled', output: 'numbers' }] });
    expect(node(graph, 'eval[seed=3,lr=0.1]').inputs.model).toEqual({
      node: 'train[seed=3,lr=0.1]',
      output: 'model',
    });
    expect(node(graph, 'per_lr[seed=1,lr=0.5]').inputs.init).toEqual({
      node: 'train[seed=1,lr=0.5]',
      output: 'model',
    });
    expect(node(graph, 'eval[seed=1,lr=0.1]').corpora).toEqual(['emodb', 'tess']);
    expect(node(graph, 'total').inputs.numbers).toEqual([
      { node: 'scaled', output: 'numbers' },
      { node: 'emodb', output: 'numbers' },
    ]);
  });

  it('orders nodes dependencies first, otherwise in spec order', async () => {
    const graph = await loadSpec(join(positive, 'matrix', 'sweep.yaml'));
    const position = new Map(graph.order.map((id, i) => [id, i]));
    for (const id of graph.order) {
      for (const value of Object.values(node(graph, id).inputs)) {
        for (const ref of ([] as InputRef[]).concat(value))
          expect(position.get(ref.node)).toBeLessThan(position.get(id) as number);
      }
    }
    expect(graph.order.slice(0, 3)).toEqual(['emodb', 'tess', 'scaled']);
  });

  it('gathers variants with [*], within the axes the consumer varies over', async () => {
    const graph = await loadSpec(join(positive, 'matrix', 'gather.yaml'));
    const all = node(graph, 'report_all').inputs.evaluations as InputRef[];
    expect(all.map((ref) => ref.node)).toEqual([
      'eval[seed=1,lr=0.1,data=a]',
      'eval[seed=1,lr=0.1,data=b]',
      'eval[seed=1,lr=0.5,data=a]',
      'eval[seed=1,lr=0.5,data=b]',
      'eval[seed=2,lr=0.1,data=a]',
      'eval[seed=2,lr=0.1,data=b]',
      'eval[seed=2,lr=0.5,data=a]',
      'eval[seed=2,lr=0.5,data=b]',
    ]);
    expect(graph.nodes.has('report_per_lr[lr=0.1]')).toBe(true);
    const perLr = node(graph, 'report_per_lr[lr=0.5]');
    expect(perLr.params).toEqual({ title: 'lr 0.5' });
    expect((perLr.inputs.evaluations as InputRef[]).map((ref) => ref.node)).toEqual([
      'eval[seed=1,lr=0.5,data=a]',
      'eval[seed=1,lr=0.5,data=b]',
      'eval[seed=2,lr=0.5,data=a]',
      'eval[seed=2,lr=0.5,data=b]',
    ]);
    // A reference that names a matrix axis picks its upstream per variant.
    expect(node(graph, 'train[seed=2,lr=0.1,data=b]').inputs.data).toEqual([
      { node: 'src_b', output: 'numbers' },
    ]);
    expect(node(graph, 'train[seed=2,lr=0.1,data=b]').corpora).toEqual(['b']);
    expect(node(graph, 'report_all').corpora).toEqual(['a', 'b']);
  });
});

describe('params', () => {
  const paths = definePlugin({
    name: 'paths',
    version: '1',
    stages: [
      defineStage({
        name: 'paths:read',
        version: '1',
        params: {
          type: 'object',
          properties: {
            root: { type: 'string', format: 'path', default: 'corpora' },
            extra: { type: 'array', items: { type: 'string', format: 'path' }, default: [] },
            nested: { type: 'object', properties: { index: { type: 'string', format: 'path' } } },
            label: { type: 'string', default: 'x' },
          },
        },
        inputs: {},
        outputs: { out: { type: 'utterances' } },
        run: async () => {},
      }),
    ],
  });

  it('applies defaults and resolves path params (a defaulted one against the top-level spec)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-paths-'));
    try {
      mkdirSync(join(dir, 'base'));
      writeFileSync(
        join(dir, 'base', 'base.yaml'),
        'name: base\nstages:\n  a:\n    uses: paths:read\n    params: { extra: [x/1, /abs/2] }\n',
      );
      writeFileSync(
        join(dir, 'top.yaml'),
        'name: top\nextends: base/base.yaml\nstages:\n  a:\n    params: { nested: { index: ../i.json } }\n',
      );
      const graph = await loadSpec(join(dir, 'top.yaml'), { registry: createRegistry([paths]) });
      expect(node(graph, 'a').params).toEqual({
        root: join(dir, 'corpora'),
        extra: [join(dir, 'base', 'x', '1'), '/abs/2'],
        nested: { index: join(dir, '..', 'i.json') },
        label: 'x',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('YAML anchors', () => {
  it('merges `<<: *anchor` maps, explicit keys first', async () => {
    const graph = await loadSpec(join(positive, 'anchors.yaml'));
    expect(node(graph, 'short').params).toEqual({ epochs: 2, lr: 0.25 });
    expect(node(graph, 'long').params).toEqual({ epochs: 9, lr: 0.25 });
  });
});

describe('registry option', () => {
  it('registers the spec plugins into a given registry, once', async () => {
    const registry = createRegistry();
    await loadSpec(join(positive, 'matrix', 'sweep.yaml'), { registry });
    await loadSpec(join(positive, 'matrix', 'gather.yaml'), { registry });
    expect(registry.plugins().map((p) => p.name)).toEqual(['@serx/core', 'serx-test-plugin']); // the built-in first
    expect(registry.get('test:train')?.plugin).toEqual({ name: 'serx-test-plugin', version: '1.0.0' });
  });

  it('loads extra plugins named in options (resolved from the current directory)', async () => {
    const registry = createRegistry();
    const relativeToCwd = join(
      relative(process.cwd(), import.meta.dirname),
      '..',
      'fixtures',
      'plugin',
      'duplicate.ts',
    );
    const error = await loadSpec(join(positive, 'small.yaml'), {
      registry,
      plugins: [`./${relativeToCwd}`],
    }).catch((e: unknown) => e);
    // The extra plugin is registered first (after the built-in), so the spec's own plugin is the duplicate.
    expect(registry.plugins().map((p) => p.name)).toEqual(['@serx/core', 'serx-other-plugin']);
    expect((error as SerxError).code).toBe(ErrorCodes.PLUGIN_DUPLICATE_STAGE);
    expect((error as SerxError).loc).toEqual({ file: join(positive, 'small.yaml'), line: 2, col: 11 });
  });

  it('resolves extra plugins from options.cwd when given', async () => {
    const registry = createRegistry();
    const cwd = join(import.meta.dirname, '..', 'fixtures');
    const error = await loadSpec(join(positive, 'small.yaml'), {
      registry,
      cwd,
      plugins: ['./plugin/duplicate.ts'],
    }).catch((e: unknown) => e);
    expect(registry.plugins().map((p) => p.name)).toEqual(['@serx/core', 'serx-other-plugin']);
    expect((error as SerxError).code).toBe(ErrorCodes.PLUGIN_DUPLICATE_STAGE);
  });
});
