import type { Cache } from '../../cache/cache.ts';
import type { Graph } from '../../graph/types.ts';
import type { Executor } from '../executor.ts';
import { BatchExecutor } from './batch-executor.ts';
import type { ExecutorSettings } from './executor-config.ts';
import { SlurmScheduler } from './slurm/slurm-scheduler.ts';

/** The spec's command-line overrides as flags, in order, for the jobs that load the spec again. */
function overrideFlags(graph: Graph): string[] {
  const seen = new Set<string>();
  return (graph.spec.overrides ?? []).flatMap((o) => {
    if (seen.has(o.arg)) return []; // a stage glob applies one argument several times
    seen.add(o.arg);
    return [`${o.flag}=${o.text}`];
  });
}

/** The executor for `settings.kind`; undefined means the runner's default (in process). */
export async function createExecutor(
  settings: ExecutorSettings,
  context: { graph: Graph; cache: Cache; cwd: string; env?: NodeJS.ProcessEnv; plugins?: readonly string[] },
): Promise<Executor | undefined> {
  switch (settings.kind) {
    case 'in-process':
      return undefined;
    case 'process':
      return new (await import('../process-executor.ts')).ProcessExecutor();
    case 'workers':
      return new (await import('../worker-executor.ts')).WorkerThreadExecutor();
    case 'slurm':
      return new BatchExecutor({
        scheduler: new SlurmScheduler(),
        cache: context.cache,
        specFile: context.graph.spec.file,
        cwd: context.cwd,
        settings,
        plugins: context.plugins ?? [],
        overrides: overrideFlags(context.graph),
        ...(context.env ? { env: context.env } : {}),
      });
  }
}
