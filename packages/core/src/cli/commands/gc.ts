import type { CliCommand } from '../../contract.ts';
import { gc } from '../../run/gc.ts';
import { parseCommandArgs, positiveInt, usageError } from '../args.ts';
import { line, openCliCache } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { formatBytes } from '../display/format.ts';

const usage = 'serx gc [--keep-runs <n>] [--dry-run] [--json] [--cache <dir>]';

export const gcCommand: CliCommand = {
  name: 'gc',
  summary: 'remove cache entries no kept run record references (never pinned ones)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        cache: { type: 'string' },
        'keep-runs': { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (positionals.length > 0) throw usageError('gc takes no positional arguments', usage);
    const keepRuns = positiveInt(values['keep-runs'], '--keep-runs', usage);
    const report = await gc(await openCliCache(values.cache, io), {
      ...(keepRuns ? { keepRuns } : {}),
      dryRun: values['dry-run'] ?? false,
    });
    if (values.json) {
      line(io.stdout, JSON.stringify(report, null, 1));
      return 0;
    }
    for (const note of report.notes) line(io.stdout, `note: ${note}`);
    const verb = values['dry-run'] ? 'would remove' : 'removed';
    line(
      io.stdout,
      `${verb} ${report.removedEntries.length} entr${report.removedEntries.length === 1 ? 'y' : 'ies'} (${formatBytes(report.freedBytes)}), ` +
        `${report.removedRecords.length} old run record(s), ${report.removedWorkDirs.length} checkpoint dir(s), ${report.removedTemp.length} temp dir(s), ${report.removedLocks.length} stale lock(s)`,
    );
    line(
      io.stdout,
      `kept ${report.keptEntries} entr${report.keptEntries === 1 ? 'y' : 'ies'} (${report.pinnedEntries} pinned) referenced by ${report.keptRecords} run record(s)`,
    );
    return 0;
  },
};
