/**
 * One JSON Schema (draft-07) for spec files, generated from the registered stages, so that YAML
 * editors (yaml-language-server: `# yaml-language-server: $schema=...`) complete and validate.
 * Each stage entry is checked against the params and inputs of the stage its `uses:` names.
 */
import type { JsonSchema } from '../contract.ts';
import { closedParams } from '../plugins/params-schema.ts';
import type { Registry } from '../plugins/registry.ts';
import { EXECUTOR_SCHEMA, STAGE_RESOURCES_SCHEMA } from '../run/executors/executor-schema.ts';
import { STAGE_ID } from '../spec/document.ts';

const EXPRESSION = {
  type: 'string',
  pattern: '^\\$\\{[^}]+\\}$',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the spec's own ${...} syntax
  description: 'an interpolation: ${vars.X}, ${env.X:-default}, ${matrix.AXIS}',
};
const REF = {
  type: 'string',
  pattern: '^([A-Za-z_][A-Za-z0-9_-]*|[^.]*\\$\\{[^}]+\\}[^.]*)\\.[A-Za-z_][A-Za-z0-9_-]*(\\[\\*\\])?$',
  description: '<stage id>.<output>, or <stage id>.<output>[*] for every matrix variant',
};

export function specJsonSchema(registry: Registry): JsonSchema {
  const names = registry.stageNames();
  const stage = {
    type: 'object',
    required: ['uses'],
    additionalProperties: false,
    properties: {
      uses: { enum: names, description: 'a registered stage, <plugin>:<stage>' },
      description: { type: 'string' },
      params: { type: 'object' },
      inputs: { type: 'object', additionalProperties: { anyOf: [REF, { type: 'array', items: REF }] } },
      seed: { anyOf: [{ type: 'integer' }, EXPRESSION] },
      pin: { anyOf: [{ type: 'boolean' }, EXPRESSION], description: 'never garbage-collected' },
      resources: STAGE_RESOURCES_SCHEMA,
      group: {
        type: 'string',
        pattern: '^[A-Za-z_][\\w.-]*$',
        description: "job group: connected stages of one group run as one cluster job (as Snakemake's group)",
      },
      shards: {
        type: 'integer',
        minimum: 1,
        description: 'run a shardable stage as N shards and a merge (same key, same output; docs/scaling.md)',
      },
      shardSize: { type: 'integer', minimum: 1, description: 'as shards, with this many rows per shard' },
      outputs: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'output name → artifact type (uses: command)',
      },
    },
    allOf: names.map((name) => {
      const definition = registry.get(name)?.definition;
      const inputs = definition?.inputs ?? {};
      if (definition?.specPorts)
        return {
          if: { properties: { uses: { const: name } }, required: ['uses'] },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema if/then
          then: {
            ...(definition.description ? { description: definition.description } : {}),
            required: ['outputs'],
            properties: { params: allowExpressions(closedParams(definition.params)) },
          },
        };
      const required = Object.entries(inputs)
        .filter(([, spec]) => !spec.optional)
        .map(([input]) => input);
      return {
        if: { properties: { uses: { const: name } }, required: ['uses'] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema if/then
        then: {
          ...(definition?.description ? { description: definition.description } : {}),
          properties: {
            params: allowExpressions(closedParams(definition?.params ?? {})),
            inputs: {
              type: 'object',
              additionalProperties: false,
              ...(required.length ? { required } : {}),
              properties: Object.fromEntries(
                Object.entries(inputs).map(([input, spec]) => [
                  input,
                  {
                    ...(spec.many ? { anyOf: [REF, { type: 'array', items: REF }] } : REF),
                    description: spec.description ?? `type ${String(spec.type)}`,
                  },
                ]),
              ),
            },
          },
        },
      };
    }),
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'serx experiment spec',
    type: 'object',
    required: ['name', 'stages'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', description: 'experiment name (MLflow experiment)' },
      description: { type: 'string' },
      extends: { type: 'string', description: 'a spec file this one is merged over (relative path)' },
      plugins: {
        type: 'array',
        items: { type: 'string' },
        description: 'plugin packages or relative paths to load',
      },
      vars: { type: 'object' },
      seed: { anyOf: [{ type: 'integer' }, EXPRESSION] },
      heldOut: {
        type: 'array',
        items: { type: 'string' },
        description: 'corpora that must never reach an input declared fits: true',
      },
      matrix: {
        type: 'object',
        additionalProperties: {
          type: 'array',
          minItems: 1,
          items: { type: ['string', 'number', 'boolean'] },
        },
      },
      tracking: {
        type: 'object',
        properties: {
          mlflow: { type: 'object', properties: { uri: { type: 'string' }, enabled: { type: 'boolean' } } },
        },
      },
      executor: EXECUTOR_SCHEMA,
      stages: {
        type: 'object',
        propertyNames: { pattern: STAGE_ID.source },
        additionalProperties: { anyOf: [stage, { type: 'null' }] },
      },
    },
  };
}

/** Lets every typed value in a params schema also be a `${...}` expression, as the spec allows. */
function allowExpressions(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = { ...(schema as Record<string, unknown>) };
  if (s.properties && typeof s.properties === 'object') {
    s.properties = Object.fromEntries(
      Object.entries(s.properties).map(([key, sub]) => [key, allowExpressions(sub)]),
    );
  }
  if (s.items) s.items = allowExpressions(s.items);
  if (s.type === 'object' || s.properties) return s;
  return { anyOf: [s, EXPRESSION] };
}
