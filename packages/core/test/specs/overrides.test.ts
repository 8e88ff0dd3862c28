/**
 * Command-line overrides (`--set`, `--matrix`) applied through loadSpec: each form, each error (with
 * the argument it points at), and equality with a YAML file that `extends:` the spec with the same
 * changes written in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, isSerxError, type SerxError } from '../../src/errors.ts';
import { loadSpec } from '../../src/graph/load-spec.ts';
import type { Graph } from '../../src/graph/types.ts';
import { createRegistry } from '../../src/plugins/registry.ts';
import type { SpecOverride } from '../../src/spec/overrides.ts';
import { plugin } from '../fixtures/plugin/index.ts';

const sweep = join(import.meta.dirname, 'positive', 'matrix', 'sweep.yaml');
const extendsSpec = join(import.meta.dirname, 'positive', 'extends', 'ablation.yaml');
const cwd = mkdtempSync(join(tmpdir(), 'serx-overrides-'));

const set = (text: string): SpecOverride => ({ flag: '--set', text });
const matrix = (text: string): SpecOverride => ({ flag: '--matrix', text });

function load(overrides: SpecOverride[], file = sweep): Promise<Graph> {
  return loadSpec(file, { registry: createRegistry([plugin]), env: {}, overrides, cwd });
}

async function failure(overrides: SpecOverride[], file = sweep): Promise<SerxError> {
  const error = await load(overrides, file).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSerxError(error)) throw new Error(`expected a SerxError, got ${String(error)}`);
  return error;
}

/** What a node's cache key is made of, apart from its upstream's content: equal graphs give equal keys. */
function keyMaterial(graph: Graph) {
  return [...graph.nodes.values()].map((n) => ({
    id: n.id,
    stage: n.definition.name,
    params: n.params,
    seed: n.seed,
    inputs: n.inputs,
  }));
}

function params(graph: Graph, id: string) {
  const node = graph.nodes.get(id);
  if (!node) throw new Error(`no node ${id}; have ${[...graph.nodes.keys()].join(', ')}`);
  return node.params;
}

describe('--set', () => {
  it('sets a stage param by its full path or the short STAGE.PARAM form, with the same result', async () => {
    const full = await load([set('stages.per_lr.params.epochs=4')]);
    const short = await load([set('per_lr.epochs=4')]);
    expect(params(full, 'per_lr[seed=1,lr=0.1]')).toEqual({ lr: 0.1, epochs: 4 });
    expect(keyMaterial(short)).toEqual(keyMaterial(full));
    expect(short.spec.overrides).toEqual([
      {
        arg: '--set #1',
        flag: '--set',
        text: 'per_lr.epochs=4',
        path: 'stages.per_lr.params.epochs',
        value: 4,
      },
    ]);
    // a param the file does not write (its default applies) can be set too
    expect(params(await load([set('train.epochs=2')]), 'train[seed=1,lr=0.1]')).toEqual({
      lr: 0.1,
      epochs: 2,
    });
  });

  it('parses VALUE as YAML: numbers, booleans, lists, quoted strings, maps', async () => {
    const graph = await load([
      set('emodb.values=[4, 5.5]'),
      set('name="my sweep"'),
      set('tracking.mlflow.enabled=false'),
      set('heldOut=[]'),
      set('stages.scaled.params={factor: 3}'),
    ]);
    expect(params(graph, 'emodb')).toEqual({ corpus: 'emodb', values: [4, 5.5] });
    expect(graph.spec.name).toBe('my sweep');
    expect(graph.spec.tracking).toEqual({ mlflow: { enabled: false } });
    expect(graph.spec.heldOut).toEqual([]);
    expect(params(graph, 'scaled')).toEqual({ factor: 3 });
  });

  it('sets vars (and every use of the var sees the new value), the later of two overrides winning', async () => {
    const graph = await load([set('vars.factor=7'), set('vars.factor=9')], extendsSpec);
    expect(params(graph, 'doubled')).toEqual({ factor: 9 });
  });

  it('deletes with PATH~ or ~PATH, as `null` does in extends', async () => {
    const stage = await load([set('stages.per_lr~')]);
    expect([...stage.nodes.keys()].some((id) => id.startsWith('per_lr'))).toBe(false);
    const param = await load([set('~per_lr.epochs')]);
    expect(params(param, 'per_lr[seed=3,lr=0.5]')).toEqual({ lr: 0.5, epochs: 5 }); // the schema default
    const yaml = join(cwd, 'deleted.yaml');
    writeFileSync(yaml, `extends: ${sweep}\nstages:\n  per_lr: { params: { epochs: null } }\n`);
    expect(keyMaterial(param)).toEqual(keyMaterial(await load([], yaml)));
    expect(param.spec.overrides?.[0]).toMatchObject({ path: 'stages.per_lr.params.epochs', deleted: true });
  });

  it('applies a stage glob to every matching stage', async () => {
    const graph = await load([set('*r*.epochs=3')]); // train, per_lr
    expect(params(graph, 'train[seed=2,lr=0.5]')).toEqual({ lr: 0.5, epochs: 3 });
    expect(params(graph, 'per_lr[seed=2,lr=0.5]')).toEqual({ lr: 0.5, epochs: 3 });
    expect(graph.spec.overrides?.map((o) => o.path)).toEqual([
      'stages.train.params.epochs',
      'stages.per_lr.params.epochs',
    ]);
  });

  it('gives the keys of a YAML file that extends the spec with the same changes', async () => {
    const cli = await load([set('train.epochs=2'), matrix('lr=0.5'), set('stages.per_lr~')]);
    const yaml = join(cwd, 'same.yaml');
    writeFileSync(
      yaml,
      `extends: ${sweep}\nmatrix: { lr: [0.5] }\nstages:\n  train: { params: { epochs: 2 } }\n  per_lr: null\n`,
    );
    expect(keyMaterial(cli)).toEqual(keyMaterial(await load([], yaml)));
  });
});

describe('--matrix', () => {
  it("replaces an axis's values", async () => {
    const graph = await load([matrix('seed=1'), matrix('lr=[0.5]')]);
    expect([...graph.nodes.keys()].filter((id) => id.startsWith('train'))).toEqual(['train[seed=1,lr=0.5]']);
    const many = await load([matrix('seed=2,3')]);
    expect([...many.nodes.keys()].filter((id) => id.startsWith('eval'))).toEqual([
      'eval[seed=2,lr=0.1]',
      'eval[seed=2,lr=0.5]',
      'eval[seed=3,lr=0.1]',
      'eval[seed=3,lr=0.5]',
    ]);
  });

  it('adds an axis that the (overridden) spec references', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a spec expression, typed on the command line
    const graph = await load([set('per_lr.epochs=${matrix.ep}'), matrix('ep=1,2'), matrix('seed=1')]);
    expect([...graph.nodes.keys()].filter((id) => id.startsWith('per_lr'))).toEqual([
      'per_lr[seed=1,lr=0.1,ep=1]',
      'per_lr[seed=1,lr=0.1,ep=2]',
      'per_lr[seed=1,lr=0.5,ep=1]',
      'per_lr[seed=1,lr=0.5,ep=2]',
    ]);
    expect(params(graph, 'per_lr[seed=1,lr=0.5,ep=2]')).toEqual({ lr: 0.5, epochs: 2 });
  });
});

describe('override errors point at the argument', () => {
  it.each([
    // unknown paths, with the closest stage / param / key
    [
      [set('trian.epochs=2')],
      'SPEC_OVERRIDE',
      "--set #1: 'trian.epochs' matches nothing: 'trian' is neither a top-level key nor a stage (did you mean 'train'?)",
    ],
    [[set('stages.trian.params.epochs=2')], 'SPEC_OVERRIDE', "no stage 'trian' (did you mean 'train'?)"],
    [
      [set('train.epoch=2')],
      'SPEC_PARAM_UNKNOWN',
      "--set #1: train.epoch: unknown param 'epoch' (did you mean 'epochs'?) [SPEC_PARAM_UNKNOWN]",
    ],
    [
      [set('stages.train.parms.lr=1')],
      'SPEC_UNKNOWN_KEY',
      "--set #1: stages.train.parms: unknown key 'parms' (did you mean 'params'?)",
    ],
    [
      [set('train.seed=4')],
      'SPEC_PARAM_UNKNOWN',
      "unknown param 'seed' (STAGE.PARAM sets a param; the stage's own 'seed' is stages.train.seed)",
    ],
    [[set('vars.fator=2')], 'SPEC_OVERRIDE', "no var 'fator' is defined or used"],
    [[set('zz*.epochs=2')], 'SPEC_OVERRIDE', "no stage id matches 'zz*'"],
    [[set('train=1')], 'SPEC_OVERRIDE', 'a stage param is train.PARAM; the whole stage is stages.train'],
    [[set('heldOut.0=emodb')], 'SPEC_OVERRIDE', 'heldOut is a list; set it whole'],
    [[set('extends=./x.yaml')], 'SPEC_OVERRIDE', "'extends' cannot be overridden"],
    // bad values
    [
      [set('per_lr.epochs=2'), set('train.epochs=abc')],
      'SPEC_PARAMS',
      '--set #2: train.epochs: must be integer [SPEC_PARAMS]',
    ],
    [[set('train.epochs=0')], 'SPEC_PARAMS', '--set #1: train.epochs: must be >= 1 [SPEC_PARAMS]'],
    [[set('train.lr=[0.1,')], 'SPEC_YAML', "--set #1: VALUE '[0.1,': malformed YAML"],
    [[set('seed=1.5')], 'SPEC_INVALID', '--set #1: seed: must be an integer'],
    // an axis nobody uses
    [
      [matrix('foo=1,2')],
      'SPEC_MATRIX',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the message quotes a spec expression
      "--matrix #1: matrix.foo: the spec has no matrix axis 'foo' and no stage uses ${matrix.foo}; axes: seed, lr",
    ],
    [[matrix('sed=1')], 'SPEC_MATRIX', "(did you mean 'seed'?)"],
    [[matrix('seed=1,1')], 'SPEC_MATRIX', 'lists 1 twice'],
    // deleting a required field, or what is not there
    [
      [set('emodb.corpus~')],
      'SPEC_PARAMS',
      "--set #1: emodb.corpus: must have required property 'corpus' [SPEC_PARAMS]",
    ],
    [
      [set('~stages.train.uses')],
      'SPEC_INVALID',
      '--set #1: stages.train.uses: a stage needs `uses: <plugin>:<stage>`',
    ],
    [[set('name~')], 'SPEC_INVALID', "--set #1: name: a spec needs a 'name'"],
    [
      [set('train.lr~'), set('train.epochs~')],
      'SPEC_OVERRIDE',
      "--set #2: nothing to delete: 'train.epochs' is not in the spec (a param that is not written has its default)",
    ],
    // malformed arguments
    [[set('train.epochs')], 'SPEC_OVERRIDE', "'train.epochs': expected PATH=VALUE, PATH~ or ~PATH"],
    [[set('~train.epochs=3')], 'SPEC_OVERRIDE', 'a deletion takes no value'],
    [[matrix('seed')], 'SPEC_OVERRIDE', 'expected AXIS=v1,v2'],
  ])('%j → %s', async (overrides, code, message) => {
    const error = await failure(overrides as SpecOverride[]);
    expect(error.code).toBe(code);
    expect(error.format()).toContain(message);
    expect(error.loc?.arg).toMatch(/^--(set|matrix) #\d$/);
    expect(exitCodeOf(error.code)).toBe(2);
  });

  it('leaves errors of the files where they are, and points a held-out leak it causes at the file', async () => {
    const error = await failure([set('heldOut=[emodb]')]);
    expect(error.code).toBe('SPEC_HELD_OUT_LEAK');
    expect(error.loc?.file).toBe(sweep);
  });

  it('resolves a relative path VALUE against the working directory', async () => {
    const file = join(cwd, 'numbers.json');
    writeFileSync(file, '[7]');
    const graph = await load([set('emodb.file=numbers.json')]);
    expect(params(graph, 'emodb')).toMatchObject({ file });
  });
});
