/**
 * `${vars.NAME}`, `${env.NAME}`, `${env.NAME:-default}` and `${matrix.AXIS}` in scalars.
 * A scalar that is exactly one `${...}` keeps the type of the value; `$${` writes a literal `${`.
 */
import type { Json } from '../contract.ts';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes, SerxError } from '../errors.ts';
import { specError } from './spec-error.ts';
import { suggest } from './suggest.ts';
import type { LEntry, LMap, LNode, LScalar } from './yaml-tree.ts';
import { fromJson, toJson } from './yaml-tree.ts';

const EXPRESSION = /(\$?)\$\{([^}]*)\}/g;
const WHOLE = /^\$\{([^}]*)\}$/;
const PARTS = /^(vars|env|matrix)\.([A-Za-z_][A-Za-z0-9_-]*)(?::-([\s\S]*))?$/;

/** Returned by a resolver to leave an expression in place for a later pass. */
export const KEEP = Symbol('keep');

export type Resolver = (
  kind: 'vars' | 'env' | 'matrix',
  name: string,
  fallback: string | undefined,
  loc: SourceLocation,
) => Json | typeof KEEP;

export interface PassOptions {
  /** The last pass turns `$${` into `${`; earlier passes leave escapes for it. */
  final: boolean;
  /** Dotted spec path of `node`, given to errors (`stages.mfcc.params`). */
  path?: string;
}

export function interpolateTree(node: LNode, resolver: Resolver, options: PassOptions): LNode {
  if (node.kind === 'scalar') return withPath(options.path, () => interpolateScalar(node, resolver, options));
  const at = (key: string | number) => ({
    ...options,
    path: options.path ? `${options.path}.${key}` : String(key),
  });
  if (node.kind === 'seq') {
    return { ...node, items: node.items.map((item, i) => interpolateTree(item, resolver, at(i))) };
  }
  const entries = new Map<string, LEntry>();
  for (const [key, entry] of node.entries) {
    entries.set(key, { ...entry, value: interpolateTree(entry.value, resolver, at(key)) });
  }
  return { ...node, entries } satisfies LMap;
}

function withPath<T>(path: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (!path || !(error instanceof SerxError) || error.specPath) throw error;
    throw new SerxError(error.code, error.message, {
      ...(error.loc ? { loc: error.loc } : {}),
      specPath: path,
    });
  }
}

export function interpolateScalar(node: LScalar, resolver: Resolver, options: PassOptions): LNode {
  const text = node.value;
  if (typeof text !== 'string' || !text.includes('${')) return node;
  checkTerminated(text, node.loc);
  const whole = WHOLE.exec(text);
  if (whole) {
    const value = evaluate(whole[1] as string, node.loc, resolver);
    if (value === KEEP) return node;
    return fromJson(value, node.loc);
  }
  const out = text.replace(EXPRESSION, (match, escaped: string, body: string) => {
    if (escaped) return options.final ? match.slice(1) : match;
    const value = evaluate(body, node.loc, resolver);
    if (value === KEEP) return match;
    if (value !== null && typeof value === 'object') {
      throw specError({
        code: ErrorCodes.SPEC_INTERPOLATION,
        message: `\${${body}} is a ${Array.isArray(value) ? 'list' : 'map'} and cannot be embedded in a string`,
        loc: node.loc,
      });
    }
    return String(value);
  });
  return { ...node, value: out };
}

/** A `${` that no `}` closes (`${vars.x`, `pre-${vars.x-post`) is an error, never literal text. */
function checkTerminated(text: string, loc: SourceLocation): void {
  const rest = text.replace(EXPRESSION, (match) => ' '.repeat(match.length));
  const open = /(?<!\$)\$\{/.exec(rest);
  if (!open) return;
  const tail = text.slice(open.index);
  throw specError({
    code: ErrorCodes.SPEC_INTERPOLATION,
    message: `unterminated ${tail.length > 60 ? `${tail.slice(0, 60)}…` : tail}: no closing } (write $\${ for a literal \${)`,
    loc,
  });
}

function evaluate(body: string, loc: SourceLocation, resolver: Resolver): Json | typeof KEEP {
  const parts = PARTS.exec(body.trim());
  if (!parts) {
    throw specError({
      code: ErrorCodes.SPEC_INTERPOLATION,
      message: `malformed expression \${${body}}: expected vars.NAME, env.NAME[:-default] or matrix.AXIS`,
      loc,
    });
  }
  const [, kind, name, fallback] = parts as unknown as [
    string,
    'vars' | 'env' | 'matrix',
    string,
    string | undefined,
  ];
  if (fallback !== undefined && kind !== 'env') {
    throw specError({
      code: ErrorCodes.SPEC_INTERPOLATION,
      message: `only env.NAME takes a default (\${${body}})`,
      loc,
    });
  }
  return resolver(kind, name, fallback, loc);
}

/** An environment value: a string, read as a number or boolean when it looks like one. */
export function envValue(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: string | undefined,
  loc: SourceLocation,
): Json {
  const raw = env[name] ?? fallback;
  if (raw === undefined) {
    throw specError({
      code: ErrorCodes.SPEC_INTERPOLATION,
      message: `environment variable ${name} is not set (write \${env.${name}:-default} to give a default)`,
      loc,
    });
  }
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

/** Interpolates a scalar where only `env` is known (e.g. `extends:`, read before vars exist). */
export function interpolateEnvOnly(node: LScalar, env: NodeJS.ProcessEnv): Json {
  const resolver: Resolver = (kind, name, fallback, loc) => {
    if (kind === 'env') return envValue(env, name, fallback, loc);
    throw specError({
      code: ErrorCodes.SPEC_INTERPOLATION,
      message: `only \${env...} may be used here (found ${kind}.${name})`,
      loc,
    });
  };
  return toJson(interpolateScalar(node, resolver, { final: true }));
}

/** Lazily resolves `vars:` (a var may use env and other vars; a cycle is an error). */
export class VarScope {
  private readonly resolved = new Map<string, Json>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly vars: LMap | undefined,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get(name: string, loc: SourceLocation): Json {
    const done = this.resolved.get(name);
    if (done !== undefined) return done;
    const entry = this.vars?.entries.get(name);
    if (!entry) {
      const known = this.vars ? [...this.vars.entries.keys()] : [];
      throw specError({
        code: ErrorCodes.SPEC_INTERPOLATION,
        message: `undefined variable vars.${name}${suggest(name, known)}`,
        loc,
      });
    }
    if (this.resolving.has(name)) {
      throw specError({
        code: ErrorCodes.SPEC_INTERPOLATION,
        message: `vars.${name} refers to itself`,
        loc: entry.value.loc,
      });
    }
    this.resolving.add(name);
    let value: Json;
    try {
      value = toJson(
        interpolateTree(entry.value, this.resolver(false), { final: true, path: `vars.${name}` }),
      );
    } finally {
      this.resolving.delete(name);
    }
    this.resolved.set(name, value);
    return value;
  }

  /** A resolver for vars and env; matrix expressions are kept (`deferMatrix`) or refused. */
  resolver(deferMatrix: boolean): Resolver {
    return (kind, name, fallback, loc) => {
      if (kind === 'vars') return this.get(name, loc);
      if (kind === 'env') return envValue(this.env, name, fallback, loc);
      if (deferMatrix) return KEEP;
      throw specError({
        code: ErrorCodes.SPEC_MATRIX,
        message: `matrix.${name} can only be used in a stage's params, seed or inputs`,
        loc,
      });
    };
  }
}

/** Axes named by `${matrix.AXIS}` anywhere in a tree, with the first place each is used. */
export function referencedAxes(
  node: LNode | undefined,
  into = new Map<string, SourceLocation>(),
): Map<string, SourceLocation> {
  if (!node) return into;
  if (node.kind === 'map') for (const entry of node.entries.values()) referencedAxes(entry.value, into);
  else if (node.kind === 'seq') for (const item of node.items) referencedAxes(item, into);
  else if (typeof node.value === 'string' && node.value.includes('${')) {
    for (const match of node.value.matchAll(EXPRESSION)) {
      const parts = PARTS.exec((match[2] as string).trim());
      if (!match[1] && parts?.[1] === 'matrix' && !into.has(parts[2] as string))
        into.set(parts[2] as string, node.loc);
    }
  }
  return into;
}

/** Whether a tree still holds a `${` (a matrix expression or an escape) for the variant pass. */
export function hasExpressions(node: LNode | undefined): boolean {
  if (!node) return false;
  if (node.kind === 'map') return [...node.entries.values()].some((entry) => hasExpressions(entry.value));
  if (node.kind === 'seq') return node.items.some(hasExpressions);
  return typeof node.value === 'string' && node.value.includes('${');
}
