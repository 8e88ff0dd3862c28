import { describe, expect, it } from 'vitest';
import { ErrorCodes, SerxError } from '../../src/errors.ts';
import { interpolateTree, referencedAxes, VarScope } from '../../src/spec/interpolate.ts';
import type { LMap } from '../../src/spec/yaml-tree.ts';
import { parseYamlTree, toJson } from '../../src/spec/yaml-tree.ts';

const D = '$';

function resolve(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const tree = parseYamlTree(yaml, '/specs/x.yaml') as LMap;
  const scope = new VarScope(tree.entries.get('vars')?.value as LMap | undefined, env);
  return toJson(
    interpolateTree(tree.entries.get('value')?.value as LMap, scope.resolver(false), { final: true }),
  );
}

function error(fn: () => unknown): SerxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SerxError) return e;
    throw e;
  }
  throw new Error('expected a SerxError');
}

describe('interpolation', () => {
  it('keeps the type of a whole-scalar expression and stringifies embedded ones', () => {
    const yaml = [
      'vars:',
      '  n: 3',
      '  list: [1, 2]',
      `  root: ${D}{env.ROOT:-/data}`,
      `  nested: ${D}{vars.root}/emodb`,
      'value:',
      `  n: ${D}{vars.n}`,
      `  list: ${D}{vars.list}`,
      `  text: "n=${D}{vars.n}"`,
      `  nested: ${D}{vars.nested}`,
      `  epochs: ${D}{env.EPOCHS:-20}`,
      `  flag: ${D}{env.FLAG}`,
      `  name: ${D}{env.NAME}`,
      `  literal: "${D}${D}{not.interpolated}"`,
    ].join('\n');
    expect(resolve(yaml, { FLAG: 'true', NAME: '007x' })).toEqual({
      n: 3,
      list: [1, 2],
      text: 'n=3',
      nested: '/data/emodb',
      epochs: 20,
      flag: true,
      name: '007x',
      literal: `${D}{not.interpolated}`,
    });
  });

  it('reports an undefined var, a var cycle, a list in a string and a bad expression at the scalar', () => {
    const undefinedVar = error(() => resolve(`vars:\n  data: 1\nvalue:\n  a: ${D}{vars.dat}`));
    expect([undefinedVar.code, undefinedVar.loc?.line, undefinedVar.loc?.col]).toEqual([
      ErrorCodes.SPEC_INTERPOLATION,
      4,
      6,
    ]);
    expect(undefinedVar.message).toBe("undefined variable vars.dat (did you mean 'data'?)");
    const cycle = error(() =>
      resolve(`vars:\n  a: ${D}{vars.b}\n  b: ${D}{vars.a}\nvalue:\n  x: ${D}{vars.a}`),
    );
    expect(cycle.message).toBe('vars.a refers to itself');
    expect(cycle.loc?.line).toBe(2);
    const list = error(() => resolve(`vars:\n  l: [1]\nvalue:\n  x: "a ${D}{vars.l}"`));
    expect(list.message).toContain('is a list and cannot be embedded');
    const bad = error(() => resolve(`value:\n  x: ${D}{whatever}`));
    expect(bad.message).toContain('malformed expression');
    const matrix = error(() => resolve(`value:\n  x: ${D}{matrix.seed}`));
    expect(matrix.code).toBe(ErrorCodes.SPEC_MATRIX);
  });

  it('finds the matrix axes a tree references, ignoring escapes', () => {
    const tree = parseYamlTree(
      `a: ${D}{matrix.seed}\nb: [x, "${D}{matrix.lr}-${D}${D}{matrix.no}"]`,
      '/x.yaml',
    );
    expect([...referencedAxes(tree).keys()]).toEqual(['seed', 'lr']);
  });
});
