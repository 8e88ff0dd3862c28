/**
 * Executors by kind, as corpus readers and encoder structures are chosen: a registry, filled
 * here with serx's own kinds. `serx run --executor <kind>`, `$SERX_EXECUTOR`, a spec's
 * `executor.kind` and the library's `runGraph` all pick from it, and all default to
 * {@link DEFAULT_EXECUTOR}. A batch scheduler is one more kind through {@link registerScheduler}.
 */
import type { Cache } from '../../cache/cache.ts';
import { registerJobLiveness } from '../../cache/lock.ts';
import { SerxError } from '../../errors.ts';
import type { Graph } from '../../graph/types.ts';
import { type Executor, InProcessExecutor } from '../executor.ts';
import type { BatchScheduler } from './batch-scheduler.ts';
import type { ExecutorSettings } from './executor-config.ts';
import { LocalScheduler } from './local/local-scheduler.ts';
import { SlurmScheduler } from './slurm/slurm-scheduler.ts';

/** What an executor may need to start: the run's graph and cache, where and with what it runs. */
export interface ExecutorContext {
  settings: ExecutorSettings;
  graph?: Graph;
  cache?: Cache;
  /** Working directory of the run (a cluster job's, too). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `--plugin` packages of the command, for processes that load the spec again. */
  plugins?: readonly string[];
}

export interface ExecutorKind {
  kind: string;
  /** One line, for usage texts and errors. */
  description: string;
  create(context: ExecutorContext): Executor | Promise<Executor>;
}

/** The executor when nothing chooses one: stages in child processes (a crash stays the stage's). */
export const DEFAULT_EXECUTOR = 'process';

const kinds = new Map<string, ExecutorKind>();

export function registerExecutor(kind: ExecutorKind): void {
  if (!/^[a-z][a-z0-9-]*$/.test(kind.kind))
    throw new SerxError('INTERNAL', `executor kind '${kind.kind}' must be lower-case kebab`);
  const known = kinds.get(kind.kind);
  if (known && known !== kind)
    throw new SerxError('INTERNAL', `executor kind '${kind.kind}' is registered twice`);
  kinds.set(kind.kind, kind);
}

export function executorKinds(): string[] {
  return [...kinds.keys()];
}

export function isExecutorKind(kind: string): boolean {
  return kinds.has(kind);
}

/** The executor of `settings.kind` (which `executorSettings` has checked is registered). */
export async function createExecutor(context: ExecutorContext): Promise<Executor> {
  const kind = kinds.get(context.settings.kind);
  if (!kind)
    throw new SerxError(
      'USAGE',
      `${context.settings.from}: unknown executor '${context.settings.kind}' (one of ${executorKinds().join(', ')})`,
    );
  return kind.create(context);
}

const schedulers = new Map<string, () => BatchScheduler>();

/** The batch scheduler behind executor kind `kind`; undefined for a stage executor's kind. */
export function schedulerOf(kind: string): BatchScheduler | undefined {
  return schedulers.get(kind)?.();
}

/** The scheduler job this process runs in (a `serx exec-node` job), if any. */
export function currentJob(env: NodeJS.ProcessEnv): { scheduler: string; id: string } | undefined {
  for (const [name, scheduler] of schedulers) {
    const id = scheduler().currentJob(env);
    if (id) return { scheduler: name, id };
  }
  return undefined;
}

/** The spec's command-line overrides as flags, in order, for the jobs that load the spec again. */
function overrideFlags(graph: Graph): string[] {
  const seen = new Set<string>();
  return (graph.spec.overrides ?? []).flatMap((o) => {
    if (seen.has(o.arg)) return []; // a stage glob applies one argument several times
    seen.add(o.arg);
    return [`${o.flag}=${o.text}`];
  });
}

/** How long a scheduler's answer about a lock holder's job is reused (lock waiters ask often). */
const REMEMBER_MS = 5000;

/**
 * Registers a batch scheduler: an executor kind of its name running each node as one of its jobs
 * (`BatchExecutor`), and the cache locks' question about holders in its jobs on other hosts.
 */
export function registerScheduler(entry: {
  name: string;
  description: string;
  create(): BatchScheduler;
}): void {
  let scheduler: BatchScheduler | undefined;
  const instance = () => {
    scheduler ??= entry.create();
    return scheduler;
  };
  registerExecutor({
    kind: entry.name,
    description: entry.description,
    async create({ settings, graph, cache, cwd, env, plugins }) {
      if (!graph || !cache || !cwd)
        throw new SerxError('INTERNAL', `the ${entry.name} executor needs the run's graph, cache and cwd`);
      const { BatchExecutor } = await import('./batch-executor.ts');
      return new BatchExecutor({
        scheduler: instance(),
        cache,
        specFile: graph.spec.file,
        cwd,
        settings,
        plugins: plugins ?? [],
        overrides: overrideFlags(graph),
        ...(env ? { env } : {}),
      });
    },
  });
  schedulers.set(entry.name, instance);
  const answers = new Map<string, { alive: Promise<boolean>; at: number }>();
  registerJobLiveness({
    scheduler: entry.name,
    currentJob: (env) => instance().currentJob(env),
    alive(id) {
      const known = answers.get(id);
      if (known && Date.now() - known.at < REMEMBER_MS) return known.alive;
      // a scheduler that cannot be asked: the holder counts as alive
      const alive = instance()
        .alive(id)
        .catch(() => true);
      answers.set(id, { alive, at: Date.now() });
      return alive;
    },
  });
}

registerExecutor({
  kind: 'in-process',
  description: "stages in the runner's own thread (debugging; nothing contains a stage)",
  create: () => new InProcessExecutor(),
});
registerExecutor({
  kind: 'process',
  description: 'stages in child processes, reused while clean (the default)',
  create: async () => new (await import('../process-executor.ts')).ProcessExecutor(),
});
registerExecutor({
  kind: 'workers',
  description: 'stages in worker threads',
  create: async () => new (await import('../worker-executor.ts')).WorkerThreadExecutor(),
});
registerScheduler({
  name: 'slurm',
  description: 'one Slurm job per node (sbatch, squeue, scancel)',
  create: () => new SlurmScheduler(),
});
registerScheduler({
  name: 'local-jobs',
  description: 'one detached process per node on this machine (a scheduler without a cluster)',
  create: () => new LocalScheduler(),
});
