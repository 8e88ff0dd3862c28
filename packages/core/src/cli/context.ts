import { resolve } from 'node:path';
import { type Cache, openCache } from '../cache/cache.ts';
import type { CliIO } from '../contract.ts';
import { loadSpec } from '../graph/load-spec.ts';
import type { Graph } from '../graph/types.ts';
import type { SpecOverride } from '../spec/overrides.ts';

/** `--cache`, else $SERX_CACHE, else `.serx/cache` under the current directory. */
export function cacheDirOf(flag: string | undefined, io: CliIO): string {
  return resolve(io.cwd, flag ?? (io.env.SERX_CACHE || '.serx/cache'));
}

export function openCliCache(flag: string | undefined, io: CliIO): Promise<Cache> {
  return openCache(cacheDirOf(flag, io));
}

/** Loads a spec for a command, with its `--set` / `--matrix` overrides (in command-line order). */
export function loadCliSpec(
  file: string,
  io: CliIO,
  plugins: readonly string[] = [],
  overrides: readonly SpecOverride[] = [],
): Promise<Graph> {
  return loadSpec(resolve(io.cwd, file), { env: io.env, plugins: [...plugins], overrides, cwd: io.cwd });
}

export function line(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}
