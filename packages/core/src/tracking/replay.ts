/**
 * Applies journal entries to MLflow, in order, resuming from the state file. Every operation is
 * idempotent under replay: runs are found again by their `serx.localRunId` tag before being
 * created, identical params/tags/metrics re-logged are no-ops on the server, artifacts overwrite.
 */
import type { Journal, JournalEntry, JournalState } from './journal.ts';
import {
  type MlflowClient,
  type MlflowMetric,
  type MlflowParam,
  MlflowRequestError,
  type MlflowTag,
} from './mlflow-client.ts';

export const LOCAL_RUN_TAG = 'serx.localRunId';

export interface ReplayResult {
  applied: number;
  pending: number;
  /** Set when replay stopped on an error (the rest stays journaled). */
  error?: MlflowRequestError;
}

export async function replayJournal(
  client: MlflowClient,
  journal: Journal,
  options: { upTo?: number } = {},
): Promise<ReplayResult> {
  const state = journal.readState();
  const entries = journal
    .entries()
    .filter((e) => e.seq > state.applied && e.seq <= (options.upTo ?? Infinity));
  let applied = 0;
  for (let i = 0; i < entries.length; ) {
    // Consecutive `log` entries of one target go to the server as one (chunked) log-batch.
    let j = i + 1;
    const first = entries[i]!;
    if (first.op === 'log')
      while (
        j < entries.length &&
        entries[j]!.op === 'log' &&
        entries[j]!.target === first.target &&
        j - i < 500
      )
        j++;
    const group = entries.slice(i, j);
    try {
      await applyEntry(client, journal, state, group.length > 1 ? mergeLogs(group) : first);
    } catch (error) {
      if (error instanceof MlflowRequestError) return { applied, pending: entries.length - applied, error };
      throw error;
    }
    state.applied = group[group.length - 1]!.seq;
    journal.writeState(state);
    applied += group.length;
    i = j;
  }
  return { applied, pending: 0 };
}

function mergeLogs(group: JournalEntry[]): JournalEntry {
  const merged = {
    op: 'log' as const,
    target: group[0]!.target,
    seq: group[group.length - 1]!.seq,
    metrics: [] as MlflowMetric[],
    params: [] as MlflowParam[],
    tags: [] as MlflowTag[],
  };
  for (const entry of group) {
    if (entry.op !== 'log') continue;
    merged.metrics.push(...(entry.metrics ?? []));
    merged.params.push(...(entry.params ?? []));
    merged.tags.push(...(entry.tags ?? []));
  }
  return merged;
}

async function applyEntry(client: MlflowClient, journal: Journal, state: JournalState, entry: JournalEntry) {
  if (entry.op === 'run') {
    if (state.runs[entry.target]) return;
    state.experimentId ??= await client.ensureExperiment(entry.experiment);
    const experimentId = state.experimentId;
    const localTag = `${journal.localRunId}/${entry.target}`;
    const find = async () =>
      (await client.searchRuns([experimentId], `tags.\`${LOCAL_RUN_TAG}\` = '${localTag}'`))[0]?.info;
    const parentRun = entry.parent ? state.runs[entry.parent]?.runId : undefined;
    const tags = [
      ...entry.tags,
      { key: LOCAL_RUN_TAG, value: localTag },
      { key: 'mlflow.runName', value: entry.runName },
      ...(parentRun ? [{ key: 'mlflow.parentRunId', value: parentRun }] : []),
    ];
    const create = () =>
      client.createRun({ experimentId, runName: entry.runName, startTime: entry.startTime, tags });
    let info = await find();
    if (!info) {
      try {
        info = await create();
      } catch (error) {
        // The connection dropped: the server may have created the run before it did. Look for
        // it by its local tag before creating it (once more), so no run is ever doubled.
        if (!(error instanceof MlflowRequestError) || error.status !== 0) throw error;
        info = (await find()) ?? (await create());
      }
    }
    state.runs[entry.target] = { runId: info.run_id, artifactUri: info.artifact_uri };
    return;
  }
  const run = state.runs[entry.target];
  if (!run) return; // its run was never journaled (e.g. the journal was truncated): nothing to attach to
  switch (entry.op) {
    case 'log':
      await client.logBatch(run.runId, entry);
      return;
    case 'source': {
      const [source] = await client.searchRuns(
        [state.experimentId!],
        `tags.\`serx.key\` = '${entry.key}' and tags.\`serx.cacheHit\` = 'false'`,
        ['attributes.start_time ASC'],
      );
      if (source)
        await client.logBatch(run.runId, { tags: [{ key: 'serx.sourceRun', value: source.info.run_id }] });
      return;
    }
    case 'artifact':
      await client.logArtifact(run.artifactUri, entry.path, entry.artifactPath);
      return;
    case 'inputs':
      await client.logInputs(run.runId, entry.datasets);
      return;
    case 'end':
      await client.updateRun(run.runId, entry.status, entry.endTime);
      return;
  }
}
