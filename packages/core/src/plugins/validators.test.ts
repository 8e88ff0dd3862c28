// Validators kept between processes (validators.ts): compiled once per schema content, evaluated
// from the saved code when they first validate. A "process" here is a fresh import of the module.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JsonSchema } from '../contract.ts';

const TYPESCRIPT = join(import.meta.dirname, '../loader/import.mjs');

let home: string;
let previous: string | undefined;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'serx-validators-'));
  previous = process.env.SERX_CACHE_HOME;
  process.env.SERX_CACHE_HOME = home;
});
afterAll(() => {
  if (previous === undefined) delete process.env.SERX_CACHE_HOME;
  else process.env.SERX_CACHE_HOME = previous;
  rmSync(home, { recursive: true, force: true });
});

/** validators.ts as a new process sees it: nothing compiled or evaluated in memory. */
async function freshProcess() {
  vi.resetModules();
  return import('./validators.ts');
}

const SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    epochs: { type: 'integer', minimum: 1, default: 30 },
    root: { type: 'string', format: 'path' },
  },
};
const savedFiles = () => readdirSync(join(home, 'validators')).filter((f) => f.endsWith('.cjs'));

describe('validators kept between processes', () => {
  it('compiles a schema once, and a later process validates alike from the saved code', async () => {
    const first = await freshProcess();
    const validate = first.schemaValidator(SCHEMA, 'params');
    const key = first.validatorKey(SCHEMA, 'params');
    expect(savedFiles()).toEqual([`${key}.cjs`]);
    const later = (await freshProcess()).schemaValidator(SCHEMA, 'params');
    for (const v of [validate, later]) {
      const params: { [key: string]: unknown } = { root: 'corpora/emodb' };
      expect(v(params)).toBe(true);
      expect(params).toEqual({ root: 'corpora/emodb', epochs: 30 }); // the default, applied
      expect(v({ epochs: 0, extra: 1 })).toBe(false);
      expect(v.errors?.map((e) => [e.instancePath, e.keyword]).sort()).toEqual([
        ['', 'additionalProperties'],
        ['/epochs', 'minimum'],
      ]);
      expect(v({ root: '' })).toBe(false); // the path format: not empty
      expect(v.errors?.map((e) => e.keyword)).toEqual(['format']);
    }
  });

  it('a later process reads the saved code when it first validates, and a damaged file is compiled again', async () => {
    const later = await freshProcess();
    const key = later.validatorKey(SCHEMA, 'params');
    const file = join(home, 'validators', `${key}.cjs`);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, 'this is not JavaScript (');
    const validate = later.schemaValidator(SCHEMA, 'params'); // registration: not read yet
    expect(readFileSync(file, 'utf8')).toBe('this is not JavaScript (');
    expect(validate({ epochs: 2 })).toBe(true); // first use: damaged, so compiled and saved again
    expect(validate({ epochs: 'two' })).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(good);
  });

  it('a bad schema that was never compiled fails when it is registered, not when it is first used', async () => {
    const { schemaValidator } = await freshProcess();
    const misspelt = { type: 'object', properties: { epochs: { type: 'integer', minimun: 1 } } };
    expect(() => schemaValidator(misspelt as JsonSchema, 'params')).toThrow(/unknown keyword: "minimun"/);
  });

  it("keeps V8's compiled form of a saved validator once it has validated; a rejected one is written again", () => {
    // separate processes: within one, V8 reuses what it compiled and never reads a given form
    const script = join(home, 'validate.mjs');
    writeFileSync(
      script,
      `import { schemaValidator, validatorKey } from ${JSON.stringify(join(import.meta.dirname, 'validators.ts'))};
const schema = { type: 'object', properties: { seed: { type: 'integer', default: 1 } } };
const validate = schemaValidator(schema, 'plain');
console.log(JSON.stringify({ key: validatorKey(schema, 'plain'), valid: validate({ seed: 'x' }), errors: validate.errors.map((e) => e.keyword) }));
`,
    );
    const run = () => {
      const result = spawnSync(process.execPath, ['--import', TYPESCRIPT, script], {
        encoding: 'utf8',
        env: { ...process.env, SERX_CACHE_HOME: home },
      });
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as { key: string; valid: boolean; errors: string[] };
    };
    const first = run(); // compiles and saves the code
    expect(first).toMatchObject({ valid: false, errors: ['type'] });
    const compiled = join(home, 'validators', `${first.key}.v8-${process.versions.v8}`);
    expect(() => readFileSync(compiled)).toThrow();
    expect(run()).toEqual(first); // evaluates the saved code, then keeps its compiled form
    const kept = readFileSync(compiled);
    expect(kept.length).toBeGreaterThan(100);
    expect(run()).toEqual(first); // from the kept form, accepted: not written again
    expect(readFileSync(compiled).equals(kept)).toBe(true);
    writeFileSync(compiled, 'not a V8 code cache');
    expect(run()).toEqual(first); // rejected: evaluated from the code, and the form written again
    const again = readFileSync(compiled);
    expect(again.toString('latin1')).not.toContain('not a V8 code cache');
    expect(again.length).toBeGreaterThan(100);
    expect(run()).toEqual(first);
    expect(readFileSync(compiled).equals(again)).toBe(true); // and accepted next time
  });
});
