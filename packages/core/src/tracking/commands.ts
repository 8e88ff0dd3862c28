/** The tracking sub-commands of `serx`: `sync` and `compare`. */
import { parseCommandArgs, usageError } from '../cli/args.ts';
import { cacheDirOf } from '../cli/context.ts';
import { printUsage } from '../cli/context-print.ts';
import type { CliCommand } from '../contract.ts';
import { isSerxError } from '../errors.ts';
import { compareRuns, formatCompareTable } from './compare.ts';
import { journalDirIn, trackingUriOf } from './create-trackers.ts';
import { syncJournals } from './sync.ts';

const NO_SERVER = 'no tracking server: set MLFLOW_TRACKING_URI or pass --tracking-uri';
const syncUsage = 'serx sync [--cache <dir>] [--tracking-uri <uri>]';

export const syncCommand: CliCommand = {
  name: 'sync',
  summary: 'replay journaled tracking events to MLflow (after an outage); idempotent',
  usage: syncUsage,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      {
        cache: { type: 'string' },
        'tracking-uri': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      syncUsage,
    );
    if (values.help) return printUsage(io, syncUsage);
    const uri = values['tracking-uri'] ?? trackingUriOf(io.env);
    if (!uri) throw usageError(NO_SERVER, syncUsage);
    const report = await syncJournals(uri, journalDirIn(cacheDirOf(values.cache, io)));
    io.stdout.write(`synced ${report.applied} event(s) from ${report.journals} journal(s) to ${uri}\n`);
    for (const failed of report.failed)
      io.stderr.write(`still pending: ${failed.runId} (${failed.pending} events): ${failed.reason}\n`);
    return report.failed.length ? 1 : 0;
  },
};

const compareUsage =
  'serx compare <experiment> [--metrics ua.tess,ua.emodb] [--stage ser:train] [--json] [--tracking-uri <uri>]';

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: "print the runs' key metrics of an MLflow experiment side by side",
  usage: compareUsage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        metrics: { type: 'string' },
        stage: { type: 'string' },
        json: { type: 'boolean' },
        'tracking-uri': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      compareUsage,
    );
    if (values.help) return printUsage(io, compareUsage);
    const uri = values['tracking-uri'] ?? trackingUriOf(io.env);
    if (!uri) throw usageError(NO_SERVER, compareUsage);
    if (positionals.length !== 1) throw usageError('compare takes exactly one experiment name', compareUsage);
    try {
      const table = await compareRuns(uri, positionals[0]!, {
        ...(values.metrics ? { metrics: values.metrics.split(',') } : {}),
        ...(values.stage ? { stage: values.stage } : {}),
      });
      io.stdout.write(values.json ? `${JSON.stringify(table, null, 2)}\n` : `${formatCompareTable(table)}\n`);
      return 0;
    } catch (error) {
      if (!isSerxError(error)) throw error;
      io.stderr.write(`${error.format()}\n`);
      return error.code === 'TRACKING_NOT_FOUND' ? 2 : 1;
    }
  },
};
