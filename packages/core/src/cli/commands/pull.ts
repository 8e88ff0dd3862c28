import { type PullResult, pullEntry } from '../../cache/remote/pull.ts';
import { pullThrough } from '../../cache/remote/pull-through.ts';
import type { CliCommand } from '../../contract.ts';
import { SerxError } from '../../errors.ts';
import { OVERRIDE_USAGE, parseCommandArgs, specOptions, usageError } from '../args.ts';
import { line, loadCliSpec, openCliCache } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { overridesOf } from '../overrides.ts';
import { looksLikeKey, megabytes, openRemote, planned, selectionOf } from '../remote.ts';

const usage = `serx pull <spec> ${OVERRIDE_USAGE} [--only <stage>]... [--from <stage>]... [--variant AXIS=VALUE]... [--cache <dir>] [--json]   |   serx pull <key>... | --all`;

function describe(result: PullResult): string {
  switch (result.status) {
    case 'pulled':
      return `pulled  ${result.key.slice(0, 12)}  ${result.files} files, ${megabytes(result.bytes)}`;
    case 'present':
      return `present ${result.key.slice(0, 12)}`;
    case 'absent':
      return `absent  ${result.key.slice(0, 12)} (not on the remote)`;
    case 'corrupt':
      return `corrupt ${result.key.slice(0, 12)}: ${result.reason}`;
  }
}

export const pullCommand: CliCommand = {
  name: 'pull',
  summary: 'download cache entries from the remote cache (what a spec’s run needs, by key, or --all)',
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
      throw usageError('pull takes a spec file, keys, or --all', usage);
    const store = openRemote(io);
    const cache = await openCliCache(values.cache, io);
    if (cache.readOnly)
      throw new SerxError(
        'ENVIRONMENT',
        `cannot pull into ${cache.dir}: it is read-only (${cache.readOnly})`,
      );
    const started = Date.now();
    const say = (text: string) => {
      if (!values.json) line(io.stdout, text);
    };
    const warnings: string[] = [];
    let results: PullResult[];
    let missing: string[] = [];
    if (values.all || positionals.every(looksLikeKey)) {
      let keys: string[];
      if (values.all) keys = await store.keys();
      else {
        keys = [];
        for (const text of positionals) {
          const matches = text.length === 64 ? [text] : await store.keys(text);
          if (matches.length !== 1)
            throw new SerxError(
              'USAGE',
              matches.length === 0
                ? `the remote ${store.url} has no entry with key ${text}`
                : `key prefix ${text} is ambiguous on ${store.url} (${matches.length} entries)`,
            );
          keys.push(matches[0] as string);
        }
      }
      results = await Promise.all(
        keys.map(async (key) => {
          const result = await pullEntry(cache, store, key);
          say(describe(result));
          return result;
        }),
      );
    } else {
      if (positionals.length !== 1) throw usageError('pull takes one spec file', usage);
      const graph = await loadCliSpec(positionals[0] as string, io, values.plugin, overridesOf(tokens));
      // planning looks every node up: each miss whose key is known is pulled, which makes the
      // keys of the nodes below it known, level by level
      const stats = pullThrough(cache, store, (message) => {
        warnings.push(message);
        if (!values.json) line(io.stderr, `warning: ${message}`);
      });
      const found = await planned(graph, cache, selectionOf(graph, values, io));
      results = [...stats.results.values()];
      for (const result of results) if (result.status !== 'absent') say(describe(result));
      missing = found.missing.map((n) => n.id);
    }
    const pulled = results.filter((r) => r.status === 'pulled');
    const summary = {
      remote: store.url,
      pulled: pulled.length,
      present: results.filter((r) => r.status === 'present').length,
      absent: results.filter((r) => r.status === 'absent').map((r) => r.key),
      corrupt: results.filter((r) => r.status === 'corrupt').map((r) => r.key),
      files: pulled.reduce((n, r) => n + (r.status === 'pulled' ? r.files : 0), 0),
      bytes: pulled.reduce((n, r) => n + (r.status === 'pulled' ? r.bytes : 0), 0),
      notOnRemote: missing,
      durationMs: Date.now() - started,
    };
    if (values.json) line(io.stdout, JSON.stringify({ ...summary, warnings }));
    else {
      line(
        io.stdout,
        `${summary.pulled} entr${summary.pulled === 1 ? 'y' : 'ies'} pulled from ${store.url} (${summary.files} files, ${megabytes(summary.bytes)}), ${summary.present} already here, in ${(summary.durationMs / 1000).toFixed(1)} s`,
      );
      if (missing.length > 0) line(io.stdout, `still to compute (not on the remote): ${missing.join(', ')}`);
    }
    // a key asked by name that is absent or corrupt is a failure; a spec's misses are not
    return summary.corrupt.length > 0 || (positionals.every(looksLikeKey) && summary.absent.length > 0)
      ? 1
      : 0;
  },
};
