import type { CliCommand } from '../../contract.ts';
import { journalDirIn, trackingUriOf } from '../../tracking/create-trackers.ts';
import { syncJournals } from '../../tracking/sync.ts';
import { parseCommandArgs, usageError } from '../args.ts';
import { cacheDirOf } from '../context.ts';
import { printUsage } from '../context-print.ts';

export const NO_TRACKING_SERVER = 'no tracking server: set MLFLOW_TRACKING_URI or pass --tracking-uri';
const usage = 'serx sync [--cache <dir>] [--tracking-uri <uri>]';

export const syncCommand: CliCommand = {
  name: 'sync',
  summary: 'replay journaled tracking events to MLflow (after an outage); idempotent',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      {
        cache: { type: 'string' },
        'tracking-uri': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    const uri = values['tracking-uri'] ?? trackingUriOf(io.env);
    if (!uri) throw usageError(NO_TRACKING_SERVER, usage);
    const report = await syncJournals(uri, journalDirIn(cacheDirOf(values.cache, io)));
    io.stdout.write(`synced ${report.applied} event(s) from ${report.journals} journal(s) to ${uri}\n`);
    for (const failed of report.failed)
      io.stderr.write(`still pending: ${failed.runId} (${failed.pending} events): ${failed.reason}\n`);
    return report.failed.length ? 1 : 0;
  },
};
