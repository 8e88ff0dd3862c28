import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { specJsonSchema } from '../../src/cli/spec-json-schema.ts';
import { createRegistry } from '../../src/plugins/registry.ts';
import { plugin } from '../fixtures/plugin/index.ts';

const positive = join(import.meta.dirname, 'positive');
const read = (...path: string[]) =>
  parse(readFileSync(join(positive, ...path), 'utf8')) as Record<string, unknown>;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('path', true);
  return ajv.compile(specJsonSchema(createRegistry([plugin])));
}

describe('specJsonSchema', () => {
  const validate = validator();

  it.each([
    ['small.yaml'],
    ['matrix', 'sweep.yaml'],
    ['matrix', 'gather.yaml'],
    ['extends', 'base', 'base.yaml'],
  ])('accepts %s', (...path) => {
    const ok = validate(read(...path));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('offers the registered stage names and their params for completion', () => {
    const schema = specJsonSchema(createRegistry([plugin])) as any;
    const stage = schema.properties.stages.additionalProperties.anyOf[0];
    expect(stage.properties.uses.enum).toContain('test:train');
    const train = stage.allOf.find((branch: any) => branch.if.properties.uses.const === 'test:train');
    expect(Object.keys(train.then.properties.params.properties)).toEqual(['epochs', 'lr']);
    expect(train.then.properties.inputs.required).toEqual(['data']);
  });

  it('rejects an unknown param, a wrong type, a missing input and an unknown top-level key', () => {
    const spec = read('small.yaml');
    const stages = spec.stages as Record<string, any>;
    stages.src.params.valuez = [1];
    stages.train.params = { epochs: 'many' };
    stages.eval.inputs = { model: 'train.model' };
    spec.heldout = ['tess'];
    expect(validate(spec)).toBe(false);
    const messages = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(messages).toContain('/stages/src/params must NOT have additional properties');
    expect(messages).toContain('/stages/train/params/epochs must be integer');
    expect(messages).toContain("/stages/eval/inputs must have required property 'numbers'");
    expect(messages).toContain(' must NOT have additional properties');
  });

  it('accepts interpolation expressions where a typed value is expected', () => {
    const spec = read('small.yaml');
    (spec.stages as Record<string, any>).train.params = { epochs: `$${'{'}vars.epochs}` };
    expect(validate(spec)).toBe(true);
  });
});
