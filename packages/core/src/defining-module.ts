import { fileURLToPath } from 'node:url';

const modules = new WeakMap<object, string>();

/** The file of the `depth`-th caller above `below` (V8 call sites; module URLs become paths). */
function callerFile(below: (...args: never) => unknown, depth: number): string | undefined {
  const saved = { limit: Error.stackTraceLimit, prepare: Error.prepareStackTrace };
  Error.stackTraceLimit = depth + 1;
  // Raw call sites, not a formatted stack: a source-map-aware prepareStackTrace (vitest)
  // would rewrite the frames; the file V8 executed is the one we hash.
  Error.prepareStackTrace = (_error, sites) => sites;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  Error.captureStackTrace(holder, below);
  const sites = holder.stack ?? [];
  Error.stackTraceLimit = saved.limit;
  Error.prepareStackTrace = saved.prepare;
  const name = sites[depth]?.getFileName() ?? undefined;
  if (!name || name.startsWith('node:')) return undefined;
  return name.startsWith('file:') ? fileURLToPath(name) : name;
}

/**
 * Records which module defines a registry entry, so that its source can be part of the cache key
 * of the stages that use it. Call it directly inside a `define*` function (`defineStage`,
 * `defineEncoderStructure`, a corpus reader's `defineCorpusReader`...): it records the module that
 * called that function. Returns its argument.
 *
 * @example
 * ```ts
 * export function defineCorpusReader<P>(reader: CorpusReader<P>): CorpusReader<P> {
 *   return recordDefiningModule(reader);
 * }
 * ```
 */
export function recordDefiningModule<T extends object>(entry: T): T {
  const file = callerFile(recordDefiningModule, 1);
  if (file && !modules.has(entry)) modules.set(entry, file);
  return entry;
}

/** The absolute path of the module that defined `entry` (see {@link recordDefiningModule}). */
export function definingModule(entry: object): string | undefined {
  return modules.get(entry);
}

/** Gives `entry` the defining module of `from` unless it has one (a plain stage object in a plugin). */
export function inheritDefiningModule(entry: object, from: object): void {
  const file = modules.get(from);
  if (file && !modules.has(entry)) modules.set(entry, file);
}
