/**
 * `serx compare`'s table: chosen metrics of an experiment's runs, one row per method (mean and
 * 95 % t interval over seeds, as the report's Table 2), per method and seed, or per run.
 */
import type { Json } from '../contract.ts';
import { SerxError } from '../errors.ts';
import { type MeanInterval, tInterval } from '../stats/t-interval.ts';
import type { TrackedExperiment, TrackedRun } from './tracked-runs.ts';

export type CompareBy = 'method' | 'seed' | 'run';

/** Matrix axes whose values are replicates of one method (averaged over), as in the report. */
const REPLICATE_AXES = ['seed'];
const EVALUATE_STAGE = 'analysis:evaluate';
const LEVEL = 0.95;

export interface CompareCell extends MeanInterval {
  values: number[];
  /** Half-width of the t interval before it is cut at [0, 1]; null when n < 2. */
  half: number | null;
}

export interface CompareRow {
  /** Method id (`eval_frozen`, `eval_frozen[encoder=x]`), with `seed=3` or the run name when by seed/run. */
  label: string;
  method: string;
  seed: Json | undefined;
  runIds: string[];
  cells: (CompareCell | null)[];
}

export interface CompareTable {
  experimentId: string;
  uiUrl: string;
  by: CompareBy;
  level: number;
  /** Metric keys, one per column. */
  metrics: string[];
  /** Corpora never trained on (the parent run's `heldOut` param): their columns are marked. */
  heldOut: string[];
  rows: CompareRow[];
}

export interface CompareOptions {
  /** Metric keys; default: UA per test corpus (`ua.<corpus>`) of the evaluation runs (Table 2). */
  metrics?: string[];
  by?: CompareBy;
}

export function buildCompareTable(experiment: TrackedExperiment, options: CompareOptions = {}): CompareTable {
  const by = options.by ?? 'method';
  const heldOut = heldOutOf(experiment.runs);
  const children = experiment.runs.filter((r) => r.parentRunId !== undefined);
  const metrics = options.metrics ?? defaultMetrics(children, heldOut);
  if (metrics.length === 0)
    throw new SerxError(
      'TRACKING_NOT_FOUND',
      'no evaluation metrics (ua.<corpus>) in this experiment yet: pass --metric to choose others',
    );
  const runs = children.flatMap((r) => perModel(r, metrics));
  const table = {
    experimentId: experiment.experimentId,
    uiUrl: experiment.uiUrl,
    by,
    level: LEVEL,
    metrics,
    heldOut,
  };
  if (by === 'run')
    return {
      ...table,
      rows: runs.map((r) => ({
        label: r.name,
        method: methodOf(r),
        seed: r.variant.seed,
        runIds: [r.runId],
        cells: metrics.map((m) => (r.metrics[m] === undefined ? null : cellOf([r.metrics[m]!]))),
      })),
    };
  // A later serx run of the same node supersedes an earlier one (runs come newest first).
  const latest = new Map<string, TrackedRun>();
  for (const r of runs) if (!latest.has(replicateKey(r))) latest.set(replicateKey(r), r);
  const methods = new Map<string, TrackedRun[]>();
  for (const r of latest.values()) methods.set(methodOf(r), [...(methods.get(methodOf(r)) ?? []), r]);
  const rows: CompareRow[] = [];
  for (const method of [...methods.keys()].sort()) {
    const replicates = methods.get(method)!.sort((a, b) => compareSeeds(a.variant.seed, b.variant.seed));
    if (by === 'seed') {
      for (const r of replicates)
        rows.push({
          label: r.variant.seed === undefined ? method : `${method} seed=${String(r.variant.seed)}`,
          method,
          seed: r.variant.seed,
          runIds: [r.runId],
          cells: metrics.map((m) => (r.metrics[m] === undefined ? null : cellOf([r.metrics[m]!]))),
        });
      continue;
    }
    rows.push({
      label: method,
      method,
      seed: undefined,
      runIds: replicates.map((r) => r.runId),
      cells: metrics.map((m) => {
        const values = replicates.map((r) => r.metrics[m]).filter((v): v is number => v !== undefined);
        return values.length ? cellOf(values) : null;
      }),
    });
  }
  return { ...table, rows };
}

/** The t interval, cut at 0 and 1 for metrics that live there (as the report does). */
function cellOf(values: number[]): CompareCell {
  const ci = tInterval(values, LEVEL);
  const unit = values.every((v) => v >= 0 && v <= 1);
  return {
    ...ci,
    values,
    half: ci.lo === null ? null : ci.mean - ci.lo,
    lo: ci.lo === null || !unit ? ci.lo : Math.max(0, ci.lo),
    hi: ci.hi === null || !unit ? ci.hi : Math.min(1, ci.hi),
  };
}

function defaultMetrics(children: TrackedRun[], heldOut: string[]): string[] {
  const evaluations = children.filter((r) => r.stage === EVALUATE_STAGE);
  const keys = new Set(
    (evaluations.length ? evaluations : children).flatMap((r) =>
      Object.keys(r.metrics)
        .map((k) => /(?:^|\.)(ua\.[^.]+)$/.exec(k)?.[1])
        .filter((k): k is string => k !== undefined && k !== 'ua.within_mean'),
    ),
  );
  const corpus = (k: string) => k.slice(3);
  return [...keys].sort(
    (a, b) => Number(heldOut.includes(corpus(a))) - Number(heldOut.includes(corpus(b))) || a.localeCompare(b),
  );
}

/**
 * An evaluation of several models logs `<model>.ua.tess` (e.g. the baselines): each model becomes a
 * method of its own, named after the model, as in the report. A run with the plain keys is itself.
 */
function perModel(run: TrackedRun, metrics: string[]): TrackedRun[] {
  if (metrics.some((m) => run.metrics[m] !== undefined)) return [run];
  const models = new Map<string, { [key: string]: number }>();
  for (const [key, value] of Object.entries(run.metrics))
    for (const m of metrics)
      if (key.endsWith(`.${m}`)) {
        const model = key.slice(0, -m.length - 1);
        models.set(model, { ...models.get(model), [m]: value });
      }
  return [...models].map(([model, values]) => ({
    ...run,
    name: `${run.name} ${model}`,
    stageId: model,
    metrics: values,
  }));
}

function heldOutOf(runs: TrackedRun[]): string[] {
  const parent = runs.find((r) => r.parentRunId === undefined && r.params.heldOut);
  try {
    return parent ? (JSON.parse(parent.params.heldOut!) as string[]) : [];
  } catch {
    return [];
  }
}

/**
 * Stage id plus the non-replicate matrix axes (`eval_frozen[encoder=x]`), plus the run's `--set`
 * overrides when it had some (`eval_scratch {--set ser_scratch.epochs=5}`): an overridden run is
 * another method, never a newer replicate of the spec's own.
 */
export function methodOf(run: TrackedRun): string {
  const axes = Object.keys(run.variant)
    .filter((a) => !REPLICATE_AXES.includes(a))
    .sort();
  const base =
    axes.length === 0
      ? run.stageId || run.name
      : `${run.stageId}[${axes.map((a) => `${a}=${formatAxis(run.variant[a]!)}`).join(',')}]`;
  return (run.overrides ?? []).length === 0 ? base : `${base} {${run.overrides.join(' ')}}`;
}

function replicateKey(run: TrackedRun): string {
  return `${methodOf(run)}\u0000${JSON.stringify(run.variant.seed ?? null)}`;
}

const formatAxis = (value: Json) => (typeof value === 'string' ? value : JSON.stringify(value));

function compareSeeds(a: Json | undefined, b: Json | undefined): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}
