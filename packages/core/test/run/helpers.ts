import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function tempDir(prefix = 'serx-run-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Executions per node id, counted from the marker files the test stages leave. */
export async function executions(markers: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of await readdir(markers).catch(() => [] as string[])) {
    const id = name.slice(0, name.indexOf('.'));
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}
