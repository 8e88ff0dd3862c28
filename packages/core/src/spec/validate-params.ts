import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import type { Json, JsonSchema, StageDefinition } from '../contract.ts';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes } from '../errors.ts';
import { closedParams, PATH_FORMATS, paramsValidator } from '../plugins/params-schema.ts';
import type { SpecIssue } from './spec-error.ts';
import { suggest } from './suggest.ts';
import type { LNode } from './yaml-tree.ts';
import { fromJson, locate, toJson } from './yaml-tree.ts';

export type ParamsResult = { ok: true; params: { [key: string]: Json } } | { ok: false; issues: SpecIssue[] };

/**
 * Validates a stage's params with its JSON Schema (defaults applied) and resolves path strings
 * (`format: path`, `existing-path`, `existing-directory`, `existing-file`) against the directory of
 * the file that wrote them (defaults: the top-level spec's). The `existing-*` formats are checked
 * on the resolved path, so a missing corpus folder is a spec error before anything runs.
 */
export function validateParams(
  definition: StageDefinition,
  node: LNode | undefined,
  where: { stageId: string; stageLoc: SourceLocation; specDir: string },
): ParamsResult {
  const root = node ?? fromJson({}, where.stageLoc);
  const params = resolvePaths(definition.params, node ? toJson(node) : {}, node, where.specDir);
  const validate = paramsValidator(definition);
  if (!validate(params)) {
    const errors = validate.errors ?? [];
    // `if`/`then`/`else` only says which branch failed; the branch's own error says why
    const issues = errors
      .filter((error) => error.keyword !== 'if' || errors.length === 1)
      .map((error) => toIssue(error, root, definition.params, where.stageId, params));
    return { ok: false, issues };
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    return {
      ok: false,
      issues: [
        {
          code: ErrorCodes.SPEC_PARAMS,
          message: 'params must be a map',
          loc: root.loc,
          specPath: `stages.${where.stageId}.params`,
        },
      ],
    };
  }
  return {
    ok: true,
    params: resolvePaths(definition.params, params, node, where.specDir) as { [key: string]: Json },
  };
}

function pathProblem(format: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !PATH_FORMATS.has(format)) return undefined;
  const found = statSync(value, { throwIfNoEntry: false });
  if (!found) return `${value} does not exist`;
  if (format === 'existing-directory') return `${value} is a file, not a directory`;
  if (format === 'existing-file') return `${value} is a directory, not a file`;
  return undefined;
}

function valueAt(params: Json, path: readonly string[]): unknown {
  let value: unknown = params;
  for (const key of path) value = (value as { [key: string]: unknown } | undefined)?.[key];
  return value;
}

function toIssue(
  error: ErrorObject,
  root: LNode,
  schema: JsonSchema,
  stageId: string,
  params: Json,
): SpecIssue {
  const path =
    error.instancePath === ''
      ? []
      : error.instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const specPath = ['stages', stageId, 'params', ...path];
  if (error.keyword === 'additionalProperties') {
    const name = String(error.params.additionalProperty);
    const known = Object.keys(
      (error.parentSchema?.properties as object | undefined) ?? closedParams(schema).properties ?? {},
    );
    return {
      code: ErrorCodes.SPEC_PARAM_UNKNOWN,
      message: `unknown param '${name}'${suggest(name, known)}`,
      loc: locate(root, [...path, name], { key: true }),
      specPath: [...specPath, name].join('.'),
    };
  }
  if (error.keyword === 'format') {
    const problem = pathProblem(String(error.params.format), valueAt(params, path));
    if (problem)
      return {
        code: ErrorCodes.SPEC_PARAMS,
        message: problem,
        loc: locate(root, path),
        specPath: specPath.join('.'),
      };
  }
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'enum')
    message += `: ${(error.params.allowedValues as Json[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return { code: ErrorCodes.SPEC_PARAMS, message, loc: locate(root, path), specPath: specPath.join('.') };
}

function resolvePaths(schema: unknown, value: Json, node: LNode | undefined, defaultDir: string): Json {
  if (!schema || typeof schema !== 'object') return value;
  const s = schema as {
    format?: string;
    properties?: Record<string, unknown>;
    items?: unknown;
    additionalProperties?: unknown;
  };
  if (s.format !== undefined && PATH_FORMATS.has(s.format) && typeof value === 'string') {
    if (isAbsolute(value)) return value;
    return resolve(node ? dirname(node.loc.file) : defaultDir, value);
  }
  if (Array.isArray(value)) {
    return value.map((item, i) =>
      resolvePaths(s.items, item, node?.kind === 'seq' ? node.items[i] : undefined, defaultDir),
    );
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const child = node?.kind === 'map' ? node.entries.get(key)?.value : undefined;
      const sub = s.properties?.[key] ?? s.additionalProperties;
      value[key] = resolvePaths(sub, item, child, defaultDir);
    }
  }
  return value;
}
