/** The tracking sub-commands of `serx`: `sync` and `compare`. */
import { parseArgs } from 'node:util';
import type { CliCommand, CliIO } from '../contract.ts';
import { isSerxError } from '../errors.ts';
import { compareRuns, formatCompareTable } from './compare.ts';
import { journalDirOf, trackingUriOf } from './create-trackers.ts';
import { syncJournals } from './sync.ts';

export const syncCommand: CliCommand = {
  name: 'sync',
  summary: 'replay journaled tracking events to MLflow (after an outage); idempotent',
  usage: 'serx sync [--cache <dir>] [--tracking-uri <uri>]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { cache: { type: 'string' }, 'tracking-uri': { type: 'string' } },
    });
    const uri = values['tracking-uri'] ?? trackingUriOf(io.env);
    if (!uri) return usageError(io, 'no tracking server: set MLFLOW_TRACKING_URI or pass --tracking-uri');
    const report = await syncJournals(uri, journalDirOf(values.cache, io));
    io.stdout.write(`synced ${report.applied} event(s) from ${report.journals} journal(s) to ${uri}\n`);
    for (const failed of report.failed)
      io.stderr.write(`still pending: ${failed.runId} (${failed.pending} events): ${failed.reason}\n`);
    return report.failed.length ? 1 : 0;
  },
};

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: "print the runs' key metrics of an MLflow experiment side by side",
  usage:
    'serx compare <experiment> [--metrics ua.tess,ua.emodb] [--stage ser:train] [--json] [--tracking-uri <uri>]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        metrics: { type: 'string' },
        stage: { type: 'string' },
        json: { type: 'boolean' },
        'tracking-uri': { type: 'string' },
      },
    });
    const uri = values['tracking-uri'] ?? trackingUriOf(io.env);
    if (!uri) return usageError(io, 'no tracking server: set MLFLOW_TRACKING_URI or pass --tracking-uri');
    if (positionals.length !== 1) return usageError(io, `usage: ${this.usage}`);
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

function usageError(io: CliIO, message: string): number {
  io.stderr.write(`${message} [USAGE]\n`);
  return 2;
}
