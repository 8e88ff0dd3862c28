import type { StageResult } from '../contract.ts';
import type { GraphNode } from '../graph/types.ts';
import { stageBrokeContract } from './stage-errors.ts';

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
};

const isPlainObject = (value: unknown): value is { [key: string]: unknown } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The path of the first value in `value` that JSON cannot carry unchanged, or undefined. */
function notJson(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} (${value})`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = notJson(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (isPlainObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const bad = notJson(item, `${path}.${key}`);
      if (bad) return bad;
    }
    return undefined;
  }
  return `${path} (${describe(value)})`;
}

/**
 * Checks what a stage's run() resolved with against the contract: nothing, or
 * `{ meta?: { <declared output>: { ...JSON } }, metrics?: { <name>: finite number } }`.
 */
export function checkStageResult(node: GraphNode, result: unknown): StageResult {
  const broke = (problem: string) =>
    stageBrokeContract(
      node,
      `${problem}; run() must resolve with nothing or { meta?: { <output>: {...} }, metrics?: { <name>: number } }`,
    );
  if (result === undefined || result === null) return {};
  if (!isPlainObject(result)) throw broke(`run() resolved with ${describe(result)}`);
  const unknown = Object.keys(result).filter((k) => k !== 'meta' && k !== 'metrics');
  if (unknown.length > 0) throw broke(`run() returned unknown key(s) ${unknown.join(', ')}`);
  const { meta, metrics } = result;
  if (meta !== undefined) {
    if (!isPlainObject(meta)) throw broke(`run() returned meta as ${describe(meta)}`);
    const undeclared = Object.keys(meta).filter((name) => !node.definition.outputs[name]);
    if (undeclared.length > 0)
      throw broke(
        `run() returned meta for undeclared output(s) ${undeclared.join(', ')} (declared: ${Object.keys(node.definition.outputs).join(', ') || 'none'})`,
      );
    for (const [name, value] of Object.entries(meta)) {
      if (!isPlainObject(value)) throw broke(`run() returned meta.${name} as ${describe(value)}`);
      const bad = notJson(value, `meta.${name}`);
      if (bad) throw broke(`run() returned a value JSON cannot hold at ${bad}`);
    }
  }
  if (metrics !== undefined) {
    if (!isPlainObject(metrics)) throw broke(`run() returned metrics as ${describe(metrics)}`);
    for (const [name, value] of Object.entries(metrics))
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw broke(`run() returned metric '${name}' as ${describe(value)}, not a finite number`);
  }
  return result as StageResult;
}
