import type { Cache } from '../../cache/cache.ts';
import type { CliCommand, CliIO } from '../../contract.ts';
import { SerxError } from '../../errors.ts';
import { planGraph } from '../../run/plan.ts';
import type { SpecOverride } from '../../spec/overrides.ts';
import { parseCommandArgs, specOptions, usageError } from '../args.ts';
import { line, loadCliSpec, openCliCache } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { overridesOf } from '../overrides.ts';

const usage =
  'serx pin <key>|<spec> <stage> [--set PATH=VALUE]... [--matrix AXIS=v1,v2]... [--unpin] [--cache <dir>]   |   serx pin --list';

/** A full key or an unambiguous prefix (≥ 8 hex digits) of an existing entry. */
async function resolveKey(cache: Cache, text: string): Promise<string> {
  if (!/^[0-9a-f]{8,64}$/.test(text))
    throw usageError(`'${text}' is not a cache key (8 to 64 hex digits)`, usage);
  const matches = (await cache.listEntries()).filter((key) => key.startsWith(text));
  if (matches.length === 1) return matches[0] as string;
  throw new SerxError(
    'USAGE',
    matches.length === 0
      ? `no cache entry has key ${text}`
      : `key prefix ${text} is ambiguous (${matches.length} entries)`,
  );
}

async function keysOfStage(
  cache: Cache,
  spec: string,
  stage: string,
  io: CliIO,
  plugins: string[] | undefined,
  overrides: SpecOverride[],
): Promise<string[]> {
  const graph = await loadCliSpec(spec, io, plugins, overrides);
  const plan = await planGraph(graph, cache, { only: [stage] });
  const nodes = plan.nodes.filter((n) => n.id === stage || n.stageId === stage);
  const notCached = nodes.filter((n) => n.status !== 'hit').map((n) => n.id);
  if (notCached.length > 0) {
    throw new SerxError(
      'USAGE',
      `${notCached.join(', ')} ${notCached.length === 1 ? 'is' : 'are'} not cached; run the spec first, then pin`,
    );
  }
  return nodes.map((n) => n.key as string);
}

export const pinCommand: CliCommand = {
  name: 'pin',
  summary: 'protect cache entries from gc (a key, or every variant of a spec stage); --unpin to undo',
  usage,
  async run(argv, io) {
    const { values, positionals, tokens } = parseCommandArgs(
      argv,
      { ...specOptions, unpin: { type: 'boolean' }, list: { type: 'boolean' } },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    const cache = await openCliCache(values.cache, io);
    if (values.list) {
      for (const key of [...(await cache.pins())].sort()) line(io.stdout, key);
      return 0;
    }
    let keys: string[];
    let what: string;
    if (positionals.length === 1) {
      keys = [await resolveKey(cache, positionals[0] as string)];
      what = 'manual pin';
    } else if (positionals.length === 2) {
      const [spec, stage] = positionals as [string, string];
      keys = await keysOfStage(cache, spec, stage, io, values.plugin, overridesOf(tokens));
      what = `${stage} of ${spec}`;
    } else throw usageError('pin takes a key, or a spec file and a stage id', usage);
    for (const key of keys) {
      if (values.unpin) line(io.stdout, `${(await cache.unpin(key)) ? 'unpinned' : 'was not pinned'} ${key}`);
      else {
        await cache.pin(key, what);
        line(io.stdout, `pinned ${key}`);
      }
    }
    return 0;
  },
};
