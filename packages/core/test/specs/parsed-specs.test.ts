import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, type SerxError } from '../../src/errors.ts';
import { readSpecTree } from '../../src/spec/read-spec-file.ts';
import { type LNode, toJson } from '../../src/spec/yaml-tree.ts';

const SPEC = `name: parsed
vars: { rate: 0.5 }
stages:
  a:
    stage: test:source
    params: { values: [1, 2.5, "three", null, true] }
  b: { stage: test:double, inputs: { x: a.out } }
`;

describe('spec files parsed once per content (spec/parsed-specs.ts)', () => {
  let dir: string;
  let home: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'serx-parsed-specs-'));
    home = process.env.SERX_CACHE_HOME;
    process.env.SERX_CACHE_HOME = join(dir, 'home');
  });
  afterEach(() => {
    if (home === undefined) delete process.env.SERX_CACHE_HOME;
    else process.env.SERX_CACHE_HOME = home;
    rmSync(dir, { recursive: true, force: true });
  });
  const saved = () => readdirSync(join(dir, 'home', 'spec-trees'));
  /** Every node's location, by path: what errors are reported at. */
  const locations = (node: LNode, at = ''): string[] =>
    node.kind === 'scalar'
      ? [`${at} ${node.loc.file}:${node.loc.line}:${node.loc.col}`]
      : node.kind === 'seq'
        ? [
            `${at} ${node.loc.line}:${node.loc.col}`,
            ...node.items.flatMap((n, i) => locations(n, `${at}[${i}]`)),
          ]
        : [
            `${at} ${node.loc.line}:${node.loc.col}`,
            ...[...node.entries.values()].flatMap((e) => [
              `${at}.${e.key} key ${e.keyLoc.line}:${e.keyLoc.col}`,
              ...locations(e.value, `${at}.${e.key}`),
            ]),
          ];

  it('reads a saved parse back with the same values and the same locations', () => {
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, SPEC);
    const first = readSpecTree(file, {});
    expect(saved()).toHaveLength(1);
    const second = readSpecTree(file, {});
    expect(saved()).toHaveLength(1);
    expect(toJson(second.tree)).toEqual(toJson(first.tree));
    expect(locations(second.tree)).toEqual(locations(first.tree));
    expect(locations(second.tree)).toContain(`.stages.a.params.values[2] ${file}:6:32`);
    expect(toJson(second.tree)).toMatchObject({
      stages: { a: { params: { values: [1, 2.5, 'three', null, true] } } },
    });
  });

  it('parses an edited file again, and a damaged saved parse is parsed again and replaced', () => {
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, SPEC);
    readSpecTree(file, {});
    writeFileSync(file, SPEC.replace('0.5', '0.25'));
    expect(toJson(readSpecTree(file, {}).tree)).toMatchObject({ vars: { rate: 0.25 } });
    expect(saved()).toHaveLength(2);
    for (const name of saved()) writeFileSync(join(dir, 'home', 'spec-trees', name), '["m", [[');
    expect(toJson(readSpecTree(file, {}).tree)).toMatchObject({ vars: { rate: 0.25 } });
  });

  it('never saves a file that did not parse: its error is reported on every read', () => {
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, 'name: dup\nstages:\n  a: { stage: x }\n  a: { stage: y }\n');
    for (let i = 0; i < 2; i++) {
      expect(() => readSpecTree(file, {})).toThrow(
        expect.objectContaining({ code: ErrorCodes.SPEC_DUPLICATE_STAGE }) as SerxError,
      );
    }
    expect(() => saved()).toThrow(/ENOENT/);
  });

  it('still reads specs when the user cache cannot be written', () => {
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, SPEC);
    writeFileSync(join(dir, 'home'), 'a file where the cache folder would be');
    expect(toJson(readSpecTree(file, {}).tree)).toMatchObject({ name: 'parsed' });
    expect(toJson(readSpecTree(file, {}).tree)).toMatchObject({ name: 'parsed' });
  });
});
