import type { Cache } from '../../cache/cache.ts';
import type { CliCommand, CliIO } from '../../contract.ts';
import { exitCodeOf } from '../../errors.ts';
import type { ResolvedSpec } from '../../graph/types.ts';
import { type Executor, isNodeExecutor } from '../../run/executor.ts';
import { runGraph } from '../../run/run-graph.ts';
import { interrupted, stageHung } from '../../run/stage-errors.ts';
import { type RunSummary, summaryExitCode } from '../../run/summary.ts';
import type { Tracker } from '../../tracking/types.ts';
import { OVERRIDE_USAGE, parseCommandArgs, positiveInt, specOptions, usageError } from '../args.ts';
import { line, loadCliSpec, openCliCache } from '../context.ts';
import { printUsage } from '../context-print.ts';
import type { Display } from '../display/display.ts';
import { overridesOf, variantSelection } from '../overrides.ts';

const usage = `serx run <spec> ${OVERRIDE_USAGE} [--variant AXIS=VALUE]... [--only <stage>]... [--from <stage>]... [--jobs <n>] [--threads <n>] [--keep-going] [--reuse-across-code-change <stage>]... [--verify] [--pull] [--push] [--executor process|in-process|workers|slurm|local-jobs|<registered kind>] [--workers] [--json] [--cache <dir>] [--plugin <pkg>]...`;

async function displayFor(io: CliIO, json: boolean): Promise<Display> {
  if (json) return (await import('../display/json-display.ts')).jsonDisplay(io.stdout);
  const out = io.stdout as NodeJS.WriteStream;
  if (out.isTTY) return (await import('../display/tty-display.ts')).ttyDisplay(out);
  return (await import('../display/line-display.ts')).lineDisplay(io.stdout, io.stderr);
}

/** MLflow only when configured; the tracking module is imported lazily to keep no-op runs fast. */
async function trackersFor(
  spec: ResolvedSpec,
  cacheDir: string,
  io: CliIO,
  warn: (m: string) => void,
): Promise<Tracker[]> {
  const mlflow = spec.tracking?.mlflow;
  if (mlflow?.enabled === false || !(mlflow?.uri ?? io.env.MLFLOW_TRACKING_URI)) return [];
  const { createTrackers } = await import('../../tracking/create-trackers.ts');
  return createTrackers(spec, cacheDir, io.env, warn);
}

/**
 * The remote cache of a run: with `--pull` (or for cluster jobs that pull and push themselves,
 * `remote.jobs`, whose outputs this process must fetch) every miss asks the remote first; with
 * `--push` the run's entries are uploaded when it ends.
 */
async function remoteFor(
  io: CliIO,
  cache: Cache,
  executor: Executor,
  flags: { pull?: boolean; push?: boolean },
  warn: (message: string) => void,
): Promise<{ after: (summary: RunSummary, json: boolean) => Promise<void> } | undefined> {
  // a no-op rerun in process reads no config: the module is imported only when it can matter
  const jobs =
    isNodeExecutor(executor) && (await import('../../cache/remote/remote-config.ts')).remoteJobs(io);
  if (!flags.pull && !flags.push && !jobs) return undefined;
  const { openRemote, megabytes } = await import('../remote.ts');
  const store = openRemote(io);
  const { pullThrough } = await import('../../cache/remote/pull-through.ts');
  const stats = flags.pull || jobs ? pullThrough(cache, store, warn) : undefined;
  return {
    async after(summary, json) {
      const report: { [key: string]: unknown } = { remote: store.url };
      if (stats) Object.assign(report, { pulled: stats.pulled, pulledBytes: stats.bytes });
      if (flags.push) {
        const { pushKeys, pushSummary } = await import('./push.ts');
        const keys = Object.values(summary.stages)
          .filter((s) => (s.status === 'succeeded' || s.status === 'cached') && s.key)
          .map((s) => s.key as string);
        const started = Date.now();
        const results = await pushKeys(cache, store, [...new Set(keys)], io, new Map(), true);
        Object.assign(report, { push: pushSummary(results, store, Date.now() - started) });
      }
      if (json) {
        line(io.stdout, JSON.stringify({ type: 'remote', ...report }));
        return;
      }
      if (stats)
        line(io.stdout, `pulled ${stats.pulled} entries (${megabytes(stats.bytes)}) from ${store.url}`);
      const push = report.push as ReturnType<typeof import('./push.ts').pushSummary> | undefined;
      if (push)
        line(
          io.stdout,
          `pushed ${push.pushed} entries (${push.filesUploaded} files, ${megabytes(push.bytesUploaded)}) to ${store.url}, ${push.present} already there`,
        );
    },
  };
}

/** After a second Ctrl-C, how long cleanup may take before serx exits regardless. */
const HARD_DEADLINE_MS = 3000;

/**
 * Ctrl-C / SIGTERM abort the run (stages get the abort signal, then are killed after a grace
 * period); a second one kills running stages at once and exits 130 within a hard deadline.
 */
function interruptOn(controller: AbortController, io: CliIO, executor: Executor | undefined): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      io.stderr.write(`${signal} again: killing running stages\n`);
      executor?.kill?.();
      setTimeout(() => process.exit(exitCodeOf('INTERRUPTED')), HARD_DEADLINE_MS).unref();
      return;
    }
    io.stderr.write(`\n${signal}: stopping running stages (again to quit at once)\n`);
    controller.abort(interrupted(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * With stages in the runner's own process, a run() awaiting a promise nothing can settle empties
 * the event loop, and Node would exit silently (code 13). Instead: say which stages hang, stop
 * waiting for them and let the run end and clean up.
 */
function onHang(io: CliIO, running: ReadonlySet<string>, stop: (reason: Error) => void): () => void {
  const onBeforeExit = () => {
    if (running.size === 0) return;
    const error = stageHung(`stage(s) ${[...running].map((id) => `'${id}'`).join(', ')}: run() `);
    io.stderr.write(`${error.format()}\n`);
    stop(error);
  };
  process.on('beforeExit', onBeforeExit);
  return () => process.off('beforeExit', onBeforeExit);
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run a spec: compute what is not cached (exit 1 on a stage failure, 130 when interrupted)',
  usage,
  async run(argv, io) {
    const { values, positionals, tokens } = parseCommandArgs(
      argv,
      {
        ...specOptions,
        only: { type: 'string', multiple: true },
        from: { type: 'string', multiple: true },
        jobs: { type: 'string', short: 'j' },
        threads: { type: 'string' },
        'keep-going': { type: 'boolean', short: 'k' },
        verify: { type: 'boolean' },
        'reuse-across-code-change': { type: 'string', multiple: true },
        workers: { type: 'boolean' },
        executor: { type: 'string' },
        variant: { type: 'string', multiple: true },
        pull: { type: 'boolean' },
        push: { type: 'boolean' },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (positionals.length !== 1) throw usageError('run takes exactly one spec file', usage);
    const jobs = positiveInt(values.jobs, '--jobs', usage);
    const threads = positiveInt(values.threads, '--threads', usage);
    const overrides = overridesOf(tokens);
    const graph = await loadCliSpec(positionals[0] as string, io, values.plugin, overrides);
    const selection = {
      ...(values.only ? { only: values.only } : {}),
      ...(values.from ? { from: values.from } : {}),
    };
    const variants = variantSelection(graph, values.variant, selection, io.cwd);
    const reuse = values['reuse-across-code-change'] ?? [];
    const known = new Set([...graph.nodes.values()].flatMap((n) => [n.id, n.stageId]));
    for (const id of reuse)
      if (!known.has(id))
        throw usageError(`--reuse-across-code-change: '${id}' is not a stage of the spec`, usage);
    const cache = await openCliCache(values.cache, io);
    const display = await displayFor(io, values.json ?? false);
    const trackers = await trackersFor(graph.spec, cache.dir, io, (message) =>
      display.onEvent({ type: 'warning', message }),
    );
    const { executorSettings } = await import('../../run/executors/executor-config.ts');
    const settings = executorSettings(
      graph.spec,
      io,
      values.executor ?? (values.workers ? 'workers' : undefined),
    );
    const { createExecutor } = await import('../../run/executors/registry.ts');
    const executor = await createExecutor({
      settings,
      graph,
      cache,
      cwd: io.cwd,
      env: io.env,
      plugins: values.plugin ?? [],
    });
    const remote = await remoteFor(io, cache, executor, values, (message) =>
      display.onEvent({ type: 'warning', message }),
    );
    const controller = new AbortController();
    const running = new Set<string>();
    const releaseSignals = interruptOn(controller, io, executor);
    let hung = false;
    const releaseHangs = onHang(io, running, (reason) => {
      hung = true;
      controller.abort(reason);
      executor.kill?.();
    });
    try {
      const summary = await runGraph(graph, {
        cache,
        ...(jobs ? { jobs } : {}),
        ...(threads ? { threads } : {}),
        onError: values['keep-going'] ? 'keep-going' : 'fail',
        ...(variants ? { only: variants } : selection),
        verify: values.verify ?? false,
        ...(reuse.length > 0 ? { reuseAcrossCodeChange: reuse } : {}),
        signal: controller.signal,
        trackers,
        executor,
        onEvent: (event) => {
          if (event.type === 'state') running[event.state === 'running' ? 'add' : 'delete'](event.id);
          display.onEvent(event);
        },
      });
      display.close();
      if (!values.json) {
        for (const error of summary.errors) {
          io.stderr.write(`${error.format()}\n`);
          const cause = error.cause as Error | undefined;
          if (cause?.stack) io.stderr.write(`${cause.stack.replace(/^/gm, '    ')}\n`);
        }
      }
      await remote?.after(summary, values.json ?? false);
      if (hung) return exitCodeOf('STAGE_HUNG');
      return summaryExitCode(summary);
    } finally {
      releaseSignals();
      releaseHangs();
    }
  },
};
