/** `serx compare <experiment>`: the runs' key metrics side by side, read back from MLflow. */
import { SerxError } from '../errors.ts';
import { MlflowClient, type MlflowRun } from './mlflow-client.ts';

export interface CompareOptions {
  /** Metric names to show; default: every metric whose name contains `ua`, `wa` or `f1`. */
  metrics?: string[];
  /** Include only runs of this stage name (tag `serx.stage`). */
  stage?: string;
}

export interface CompareTable {
  experimentId: string;
  uiUrl: string;
  columns: string[];
  rows: {
    runId: string;
    name: string;
    stage: string;
    status: string;
    cacheHit: string;
    values: (number | undefined)[];
  }[];
}

export async function compareRuns(
  trackingUri: string,
  experiment: string,
  options: CompareOptions = {},
): Promise<CompareTable> {
  const client = new MlflowClient(trackingUri);
  const found = await client.getExperimentByName(experiment);
  if (!found)
    throw new SerxError('TRACKING_NOT_FOUND', `no MLflow experiment named '${experiment}' at ${trackingUri}`);
  const filter = options.stage ? `tags.\`serx.stage\` = '${options.stage}'` : '';
  const runs = (
    await client.searchRuns([found.experiment_id], filter, ['attributes.start_time DESC'])
  ).filter((run) => tag(run, 'mlflow.parentRunId') !== undefined);
  const columns =
    options.metrics ??
    [...new Set(runs.flatMap((run) => (run.data.metrics ?? []).map((m) => m.key)))]
      .filter((key) => /(^|[._])(ua|wa|f1|macro_f1)([._]|$)/i.test(key))
      .sort();
  return {
    experimentId: found.experiment_id,
    uiUrl: `${trackingUri.replace(/\/+$/, '')}/#/experiments/${found.experiment_id}`,
    columns,
    rows: runs.map((run) => ({
      runId: run.info.run_id,
      name: run.info.run_name ?? tag(run, 'mlflow.runName') ?? run.info.run_id,
      stage: tag(run, 'serx.stage') ?? '',
      status: run.info.status,
      cacheHit: tag(run, 'serx.cacheHit') ?? '',
      values: columns.map((c) => run.data.metrics?.find((m) => m.key === c)?.value),
    })),
  };
}

/** Renders the table as aligned plain text. */
export function formatCompareTable(table: CompareTable): string {
  const header = ['run', 'stage', 'status', 'cached', ...table.columns];
  const body = table.rows.map((r) => [
    r.name,
    r.stage,
    r.status,
    r.cacheHit,
    ...r.values.map((v) => (v === undefined ? '–' : v.toFixed(4))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    `MLflow UI: ${table.uiUrl}`,
  ].join('\n');
}

function tag(run: MlflowRun, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}
