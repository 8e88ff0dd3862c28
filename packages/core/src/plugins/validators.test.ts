// Validators kept between processes (validators.ts): compiled once per schema content, evaluated
// from the saved code when they first validate. A "process" here is a fresh import of the module.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JsonSchema } from '../contract.ts';

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
});
