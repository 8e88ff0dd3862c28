/** Stage timings and cache hits for a report, from the run that made it and the run records in the cache. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cache, Graph, RunRecord, RunSummary } from '@serx/core';
import type { ReportModel, StageTiming } from '../report/model.ts';

/** Newest first. A record being rewritten or damaged is skipped. */
async function runRecords(cache: Cache): Promise<RunRecord[]> {
  const dir = cache.path('runs');
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.json'))
    .sort()
    .reverse();
  const records: RunRecord[] = [];
  for (const name of names) {
    try {
      records.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as RunRecord);
    } catch {
      // ignore
    }
  }
  return records;
}

/**
 * For every node of the graph: its status in `summary` (`cached` = cache hit) and the wall time
 * of the newest recorded execution that computed the same key.
 */
export async function runTimings(
  graph: Graph,
  cache: Cache,
  summary: RunSummary,
): Promise<NonNullable<ReportModel['run']>> {
  const records = await runRecords(cache);
  const stages: StageTiming[] = [];
  for (const id of graph.order) {
    const s = summary.stages[id];
    if (!s) continue;
    const computed =
      s.status === 'succeeded'
        ? s
        : records.map((r) => r.stages[id]).find((r) => r?.status === 'succeeded' && r.key === s.key);
    stages.push({
      id,
      stage: s.stage,
      status: s.status,
      ...(computed?.durationMs === undefined ? {} : { computeMs: computed.durationMs }),
      ...(s.key ? { key: s.key } : {}),
    });
  }
  return { runId: summary.runId, status: summary.status, durationMs: summary.durationMs, stages };
}
