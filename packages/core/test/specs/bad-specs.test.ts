/**
 * One directory per bad spec: `spec.yaml` (+ the files it extends) and `expected.json` with the
 * error code and the exact file:line:col it must be reported at.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SerxError } from '../../src/errors.ts';
import { isSerxError } from '../../src/errors.ts';
import { loadSpec } from '../../src/graph/load-spec.ts';
import { createRegistry } from '../../src/plugins/registry.ts';
import { SpecIssuesError } from '../../src/spec/spec-error.ts';
import { plugin } from '../fixtures/plugin/index.ts';

interface Expected {
  code: string;
  file: string;
  line: number;
  col: number;
  message?: string;
  /** Further problems found in the same pass, in file order. */
  more?: Omit<Expected, 'more' | 'message'>[];
}

const here = import.meta.dirname;
const cases = readdirSync(here).filter((name) => existsSync(join(here, name, 'expected.json')));

describe('bad specs', () => {
  it('has at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('%s', async (name) => {
    const dir = join(here, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    const error = await loadSpec(join(dir, 'spec.yaml'), {
      registry: createRegistry([plugin]),
      env: {},
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isSerxError(error)) throw new Error(`expected a SerxError, got ${String(error)}`);
    const actual: Expected = {
      code: error.code,
      file: relative(dir, error.loc?.file ?? ''),
      line: error.loc?.line ?? 0,
      col: error.loc?.col ?? 0,
    };
    expect(actual).toEqual({
      code: expected.code,
      file: expected.file,
      line: expected.line,
      col: expected.col,
    });
    if (expected.message) expect(error.message).toContain(expected.message);
    const others = error instanceof SpecIssuesError ? error.others : [];
    const where = (e: SerxError) => ({
      code: e.code,
      file: relative(dir, e.loc?.file ?? ''),
      line: e.loc?.line,
      col: e.loc?.col,
    });
    expect(others.map(where)).toEqual(expected.more ?? []);
    expect(error.format().split('\n')).toHaveLength(1 + others.length);
    expect(error.format()).toMatch(
      new RegExp(
        `${expected.file.replace('.', '\\.')}:${expected.line}:${expected.col} .*\\[${expected.code}\\]`,
      ),
    );
  });
});
