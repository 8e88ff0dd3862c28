import type { CliCommand } from '../../contract.ts';
import { type CompareFormat, formatCompare } from '../../tracking/compare-format.ts';
import { buildCompareTable, type CompareBy } from '../../tracking/compare-table.ts';
import { trackingUriOf } from '../../tracking/create-trackers.ts';
import { diffRuns, findRun, formatRunDiff } from '../../tracking/run-diff.ts';
import { readTrackedRuns } from '../../tracking/tracked-runs.ts';
import { parseCommandArgs, usageError } from '../args.ts';
import { printUsage } from '../context-print.ts';
import { NO_TRACKING_SERVER } from './sync.ts';

const usage = `serx compare <experiment> [--metric ua.tess,ua.within_mean] [--by method|seed|run]
                    [--format table|csv|json|md] [--tracking-uri <uri>]
       serx compare <experiment> --runs <run-a>,<run-b>     (params that differ; run id or name)`;

const BY: readonly CompareBy[] = ['method', 'seed', 'run'];
const FORMATS: readonly CompareFormat[] = ['table', 'csv', 'json', 'md'];

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw usageError(`${flag} must be one of ${allowed.join(', ')}; got '${value}'`, usage);
  return value as T;
}

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: "an MLflow experiment's key metrics per method (mean ± CI over seeds), or two runs' params diffed",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        metric: { type: 'string' },
        by: { type: 'string' },
        format: { type: 'string' },
        runs: { type: 'string' },
        'tracking-uri': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    const uri = values['tracking-uri'] ?? trackingUriOf(io.env);
    if (!uri) throw usageError(NO_TRACKING_SERVER, usage);
    if (positionals.length !== 1) throw usageError('compare takes exactly one experiment name', usage);
    const by = oneOf(values.by, BY, '--by');
    const format = oneOf(values.format, FORMATS, '--format') ?? 'table';
    const width = (io.stdout as { columns?: number }).columns || Number(io.env.COLUMNS) || 100;
    const experiment = await readTrackedRuns(uri, positionals[0]!);
    if (values.runs !== undefined) {
      const refs = values.runs.split(',').filter(Boolean);
      if (refs.length !== 2) throw usageError('--runs takes two runs: --runs <a>,<b>', usage);
      const diff = diffRuns(findRun(experiment, refs[0]!), findRun(experiment, refs[1]!));
      io.stdout.write(`${format === 'json' ? JSON.stringify(diff, null, 2) : formatRunDiff(diff, width)}\n`);
      return 0;
    }
    const metrics = values.metric?.split(',').filter(Boolean);
    const table = buildCompareTable(experiment, { ...(metrics ? { metrics } : {}), ...(by ? { by } : {}) });
    io.stdout.write(`${formatCompare(table, format, width)}\n`);
    return 0;
  },
};
