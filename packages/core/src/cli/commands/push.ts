import type { Cache } from '../../cache/cache.ts';
import { type PushResult, pushEntry } from '../../cache/remote/push.ts';
import type { RemoteStore } from '../../cache/remote/remote-store.ts';
import type { CliCommand, CliIO } from '../../contract.ts';
import { SerxError } from '../../errors.ts';
import { OVERRIDE_USAGE, parseCommandArgs, specOptions, usageError } from '../args.ts';
import { line, loadCliSpec, openCliCache } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { overridesOf } from '../overrides.ts';
import { looksLikeKey, megabytes, openRemote, planned, selectionOf } from '../remote.ts';

const usage = `serx push <spec> ${OVERRIDE_USAGE} [--only <stage>]... [--from <stage>]... [--variant AXIS=VALUE]... [--cache <dir>] [--json]   |   serx push <key>... | --all`;

/** Full keys, or unambiguous prefixes of local entries. */
async function localKeys(cache: Cache, texts: string[]): Promise<string[]> {
  const all = await cache.listEntries();
  return texts.map((text) => {
    const matches = all.filter((key) => key.startsWith(text));
    if (matches.length === 1) return matches[0] as string;
    throw new SerxError(
      'USAGE',
      matches.length === 0
        ? `no entry of ${cache.dir} has key ${text}`
        : `key prefix ${text} is ambiguous (${matches.length} entries)`,
    );
  });
}

/** Pushes keys (the store bounds the transfers), printing one line per entry. */
export async function pushKeys(
  cache: Cache,
  store: RemoteStore,
  keys: readonly string[],
  io: CliIO,
  names: ReadonlyMap<string, string> = new Map(),
  quiet = false,
): Promise<PushResult[]> {
  return Promise.all(
    keys.map(async (key) => {
      const result = await pushEntry(cache, store, key);
      if (!quiet)
        line(
          io.stdout,
          `${result.status === 'pushed' ? 'pushed ' : 'present'} ${key.slice(0, 12)}  ${names.get(key) ?? ''}${result.status === 'pushed' ? `  ${result.uploaded}/${result.files} files uploaded, ${megabytes(result.bytes)}` : ''}`,
        );
      return result;
    }),
  );
}

export function pushSummary(results: readonly PushResult[], store: RemoteStore, ms: number) {
  const pushed = results.filter((r) => r.status === 'pushed');
  return {
    remote: store.url,
    entries: results.length,
    pushed: pushed.length,
    present: results.length - pushed.length,
    filesUploaded: results.reduce((n, r) => n + r.uploaded, 0),
    bytesUploaded: results.reduce((n, r) => n + r.bytes, 0),
    durationMs: ms,
  };
}

export const pushCommand: CliCommand = {
  name: 'push',
  summary: 'upload cache entries to the remote cache (a spec’s, by key, or --all)',
  usage,
  async run(argv, io) {
    const { values, positionals, tokens } = parseCommandArgs(
      argv,
      {
        ...specOptions,
        only: { type: 'string', multiple: true },
        from: { type: 'string', multiple: true },
        variant: { type: 'string', multiple: true },
        all: { type: 'boolean' },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (values.all ? positionals.length > 0 : positionals.length === 0)
      throw usageError('push takes a spec file, keys, or --all', usage);
    const store = openRemote(io);
    const cache = await openCliCache(values.cache, io);
    const started = Date.now();
    let keys: string[];
    const names = new Map<string, string>();
    const notCached: string[] = [];
    if (values.all) keys = await cache.listEntries();
    else if (positionals.every(looksLikeKey)) keys = await localKeys(cache, positionals);
    else {
      if (positionals.length !== 1) throw usageError('push takes one spec file', usage);
      const graph = await loadCliSpec(positionals[0] as string, io, values.plugin, overridesOf(tokens));
      const found = await planned(graph, cache, selectionOf(graph, values, io));
      keys = found.keys;
      for (const node of found.hits) names.set(node.key as string, node.id);
      notCached.push(...found.missing.map((n) => n.id));
    }
    const results = await pushKeys(cache, store, keys, io, names, values.json);
    const summary = { ...pushSummary(results, store, Date.now() - started), notCached };
    if (values.json) line(io.stdout, JSON.stringify(summary));
    else {
      line(
        io.stdout,
        `${summary.pushed} entr${summary.pushed === 1 ? 'y' : 'ies'} pushed to ${store.url} (${summary.filesUploaded} files, ${megabytes(summary.bytesUploaded)}), ${summary.present} already there, in ${(summary.durationMs / 1000).toFixed(1)} s`,
      );
      if (notCached.length > 0)
        line(io.stdout, `not in the local cache (not pushed): ${notCached.join(', ')}`);
    }
    return 0;
  },
};
