// Command-line overrides of the paper give the keys of a YAML file that extends it with the same
// changes written in, for every node: what the README's one-liners run is what the YAML would.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheKey, type Graph, loadSpec, openCache, planGraph, type SpecOverride } from '@serx/core';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const paper = join(here, 'paper.yaml');
const data = resolve(process.env.SERX_DATA ?? join(here, '..', '..', 'shared', 'corpora'));
const env = { SERX_DATA: data };
const tmp = mkdtempSync(join(tmpdir(), 'serx-paper-overrides-'));

/**
 * Each node's key with every upstream content hash replaced by the upstream's own such key (and
 * the output name): equal for two graphs exactly when every node's stage, plugin, version, params,
 * seed and wiring are equal all the way up, i.e. when their real keys will be equal.
 */
function graphKeys(graph: Graph): { [id: string]: string } {
  const keys: { [id: string]: string } = {};
  for (const id of graph.order) {
    const node = graph.nodes.get(id)!;
    const inputs = Object.fromEntries(
      Object.entries(node.inputs).map(([name, wired]) => {
        const ref = (r: { node: string; output: string }) => `${keys[r.node]}/${r.output}`;
        return [name, Array.isArray(wired) ? wired.map(ref) : ref(wired)];
      }),
    );
    keys[id] = cacheKey({
      stage: node.definition.name,
      plugin: node.plugin,
      version: node.definition.version,
      params: node.params,
      seed: node.seed,
      inputs,
    });
  }
  return keys;
}

const cli = (overrides: SpecOverride[]) => loadSpec(paper, { env, overrides, cwd: here });

function yaml(name: string, text: string): Promise<Graph> {
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, `extends: ${paper}\n${text}`);
  return loadSpec(file, { env });
}

const set = (text: string): SpecOverride => ({ flag: '--set', text });

describe('paper.yaml with command-line overrides', () => {
  it.each([
    ['one seed', [{ flag: '--matrix', text: 'seed=1' }] as SpecOverride[], 'matrix: { seed: [1] }\n'],
    [
      'without class weights',
      [set('ser_*.classWeights=none'), set('baseline_logistic.classWeights=none')],
      `stages:
  ser_scratch: { params: { classWeights: none } }
  ser_frozen: { params: { classWeights: none } }
  ser_finetune: { params: { classWeights: none } }
  baseline_logistic: { params: { classWeights: none } }
`,
    ],
    [
      'frozen vs scratch at 5 epochs, no t-SNE',
      [
        set('ser_scratch.epochs=5'),
        set('stages.ser_frozen.params.epochs=5'),
        set('stages.tsne~'),
        set('~stages.report.inputs.tsne'),
      ],
      `stages:
  ser_scratch: { params: { epochs: 5 } }
  ser_frozen: { params: { epochs: 5 } }
  tsne: null
  report: { inputs: { tsne: null } }
`,
    ],
  ])('%s: the same keys as the YAML, for every node', async (name, overrides, text) => {
    const [fromCli, fromYaml, plain] = await Promise.all([
      cli(overrides),
      yaml(name.replace(/\W+/g, '-'), text),
      cli([]),
    ]);
    const keys = graphKeys(fromCli);
    expect(keys).toEqual(graphKeys(fromYaml));
    expect(Object.keys(keys).length).toBeGreaterThan(20);
    // ...and not those of the paper itself (the overrides did something)
    expect(
      Object.values(keys).filter((key) => !Object.values(graphKeys(plain)).includes(key)).length,
    ).toBeGreaterThan(0);
    // serx plan: the real keys it can know without running (the ingest stages) are equal too
    const cache = await openCache(join(tmp, `cache-${name.replace(/\W+/g, '-')}`));
    const [a, b] = await Promise.all([planGraph(fromCli, cache), planGraph(fromYaml, cache)]);
    const known = (plan: typeof a) => plan.nodes.map((n) => [n.id, n.status, n.key ?? null]);
    expect(known(a)).toEqual(known(b));
    expect(a.nodes.filter((n) => n.key).length).toBeGreaterThanOrEqual(7);
  });

  it('one seed: only seed=1 variants; what does not vary over seeds is the full run’s', async () => {
    const [one, full] = await Promise.all([cli([{ flag: '--matrix', text: 'seed=1' }]), cli([])]);
    const oneKeys = graphKeys(one);
    const fullKeys = graphKeys(full);
    expect([...one.nodes.keys()].filter((id) => id.startsWith('ser_frozen'))).toEqual(['ser_frozen[seed=1]']);
    for (const id of ['mfcc_emodb', 'ae', 'ser_frozen[seed=1]', 'eval_frozen[seed=1]', 'baseline_logistic']) {
      expect(oneKeys[id]).toBeDefined();
      expect(oneKeys[id]).toBe(fullKeys[id]);
    }
    expect(oneKeys.report).not.toBe(fullKeys.report); // it gathers one seed instead of five
  });
});
