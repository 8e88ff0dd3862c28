/** `serx compare --runs a,b`: what changed between two runs — their params side by side. */
import { SerxError } from '../errors.ts';
import type { TrackedExperiment, TrackedRun } from './tracked-runs.ts';

export interface RunDiff {
  runs: [{ runId: string; name: string }, { runId: string; name: string }];
  /** Params whose values differ, or that only one run has (`undefined` on the other side). */
  changed: { key: string; a: string | undefined; b: string | undefined }[];
  /** Number of params equal in both. */
  same: number;
}

/** Finds a run by id, id prefix (≥ 6 characters) or exact name; the newest when names repeat. */
export function findRun(experiment: TrackedExperiment, ref: string): TrackedRun {
  const byId = experiment.runs.filter((r) => r.runId === ref || (ref.length >= 6 && r.runId.startsWith(ref)));
  const matches = byId.length ? byId : experiment.runs.filter((r) => r.name === ref || r.nodeId === ref);
  if (matches.length === 0)
    throw new SerxError(
      'TRACKING_NOT_FOUND',
      `no run '${ref}' in this experiment: give a run id (or its first 6+ characters) or a run name as \`serx compare <experiment> --by run\` lists them`,
    );
  if (byId.length > 1)
    throw new SerxError('USAGE', `run id prefix '${ref}' matches ${byId.length} runs: give more characters`);
  return matches[0]!;
}

/**
 * A stage's params are logged under its stage id (`ser_frozen.epochs`); without that prefix the
 * params of two different stages (`ser_scratch` vs `ser_frozen`) line up and only real changes show.
 */
function ownParams(run: TrackedRun): { [key: string]: string } {
  const prefix = `${run.stageId}.`;
  return Object.fromEntries(
    Object.entries(run.params).map(([k, v]) => [
      run.stageId && k.startsWith(prefix) ? k.slice(prefix.length) : k,
      v,
    ]),
  );
}

export function diffRuns(runA: TrackedRun, runB: TrackedRun): RunDiff {
  const [a, b] = [ownParams(runA), ownParams(runB)];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const changed = keys.filter((k) => a[k] !== b[k]).map((key) => ({ key, a: a[key], b: b[key] }));
  return {
    runs: [
      { runId: runA.runId, name: runA.name },
      { runId: runB.runId, name: runB.name },
    ],
    changed,
    same: keys.length - changed.length,
  };
}

export function formatRunDiff(diff: RunDiff, width = 100): string {
  const [a, b] = diff.runs;
  const head = [`a: ${a.name} (${a.runId})`, `b: ${b.name} (${b.runId})`, ''];
  if (diff.changed.length === 0) return [...head, `no param differs (${diff.same} equal)`].join('\n');
  const show = (v: string | undefined) => v ?? '(absent)';
  const keyWidth = Math.max(5, ...diff.changed.map((c) => c.key.length));
  const valueWidth = Math.max(8, Math.floor((width - keyWidth - 4) / 2));
  const clip = (t: string) => (t.length <= valueWidth ? t : `${t.slice(0, valueWidth - 1)}…`);
  const aWidth = Math.min(valueWidth, Math.max(1, ...diff.changed.map((c) => clip(show(c.a)).length)));
  const line = (k: string, x: string, y: string) =>
    `${k.padEnd(keyWidth)}  ${x.padEnd(aWidth)}  ${y}`.trimEnd();
  return [
    ...head,
    line('param', 'a', 'b'),
    line('-'.repeat(keyWidth), '-'.repeat(aWidth), '-'.repeat(Math.min(valueWidth, 8))),
    ...diff.changed.map((c) => line(c.key, clip(show(c.a)), clip(show(c.b)))),
    '',
    `${diff.changed.length} param(s) differ, ${diff.same} equal`,
  ].join('\n');
}
