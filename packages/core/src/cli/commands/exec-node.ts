import { hostname } from 'node:os';
import { pullThrough } from '../../cache/remote/pull-through.ts';
import { pushEntry } from '../../cache/remote/push.ts';
import { remoteJobs, remoteSettings } from '../../cache/remote/remote-config.ts';
import { RemoteStore } from '../../cache/remote/remote-store.ts';
import type { CliCommand } from '../../contract.ts';
import { exitCodeOf, SerxError } from '../../errors.ts';
import { jobLineWriter } from '../../run/executors/job-lines.ts';
import { currentJob } from '../../run/executors/registry.ts';
import { planGraph } from '../../run/plan.ts';
import { newRunId } from '../../run/record.ts';
import { runGraph } from '../../run/run-graph.ts';
import { interrupted } from '../../run/stage-errors.ts';
import { summaryExitCode } from '../../run/summary.ts';
import { parseCommandArgs, positiveInt, specOptions, usageError } from '../args.ts';
import { line, loadCliSpec, openCliCache } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { overridesOf } from '../overrides.ts';

const usage =
  'serx exec-node <spec> <node-id> [--set PATH=VALUE]... [--matrix AXIS=v1,v2]... [--cache <dir>] [--expect-key <key>] [--run-id <id>] [--threads <n>] [--plugin <pkg>]...';

/**
 * Computes exactly one node of a spec against the cache, in this process: the body of a cluster
 * job (`--executor slurm` submits one per node) or of any other process that must contain one
 * stage. Its upstream must already be published; it never computes them. Progress, logs, metrics
 * and the final state go to stdout as `@serx {json}` lines for the submitter to relay.
 */
export const execNodeCommand: CliCommand = {
  name: 'exec-node',
  summary: 'compute one node whose inputs are cached (the body of a cluster job)',
  usage,
  async run(argv, io) {
    const { values, positionals, tokens } = parseCommandArgs(
      argv,
      {
        ...specOptions,
        'expect-key': { type: 'string' },
        'run-id': { type: 'string' },
        threads: { type: 'string' },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (positionals.length !== 2) throw usageError('exec-node takes a spec file and a node id', usage);
    const [file, nodeId] = positionals as [string, string];
    const threads = positiveInt(values.threads, '--threads', usage);
    const graph = await loadCliSpec(file, io, values.plugin, overridesOf(tokens));
    if (!graph.nodes.has(nodeId))
      throw usageError(
        `no node '${nodeId}' in spec '${graph.spec.name}' (nodes: ${graph.order.join(', ')})`,
        usage,
      );
    // `remote.jobs`: a node without the shared filesystem pulls its inputs and pushes its output
    const jobs = remoteJobs(io) ? remoteSettings(io) : undefined;
    const cache = await openCliCache(jobs?.jobCache ?? values.cache, io);
    const store = jobs ? new RemoteStore(jobs) : undefined;
    if (store)
      pullThrough(cache, store, (message) => line(io.stderr, `warning: ${message}`), { strict: true });
    const job = currentJob(io.env);
    const where = job ? `${job.scheduler} job ${job.id} on ${hostname()}` : `pid ${process.pid}`;
    line(io.stdout, `serx exec-node ${nodeId} (${where})`);

    const plan = await planGraph(graph, cache, { only: [nodeId] });
    const missing = plan.nodes.filter((n) => n.id !== nodeId && n.status !== 'hit').map((n) => n.id);
    if (missing.length > 0)
      throw new SerxError(
        'STAGE_FAILED',
        `exec-node ${nodeId}: upstream not in the cache: ${missing.join(', ')}`,
      );
    const key = plan.nodes.find((n) => n.id === nodeId)?.key;
    if (values['expect-key'] && key !== values['expect-key'])
      throw new SerxError(
        'STAGE_FAILED',
        `exec-node ${nodeId}: its key here is ${key} but the submitter computed ${values['expect-key']}: the job sees other inputs (environment variables, corpus files, code, plugin versions) than the submitting host`,
      );

    const lines = jobLineWriter(io.stdout, nodeId);
    const controller = new AbortController();
    // scancel and time limits send SIGTERM: stop the stage, discard staging, release the lock
    const onSignal = (signal: NodeJS.Signals) => {
      line(io.stderr, `${signal}: stopping ${nodeId}`);
      controller.abort(interrupted(`interrupted by ${signal}`));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      const summary = await runGraph(graph, {
        cache,
        only: [nodeId],
        jobs: 1,
        ...(threads ? { threads } : {}),
        signal: controller.signal,
        trackers: [lines.tracker],
        onEvent: (event) => lines.onEvent(event),
        runId: `${values['run-id'] ?? newRunId()}.${job ? `job${job.id}` : `pid${process.pid}`}`,
      });
      const computed = summary.stages[nodeId]?.key;
      if (values['expect-key'] && computed !== undefined && computed !== values['expect-key']) {
        // the inputs or the code changed between planning above and running (a live edit)
        const error = new SerxError(
          'STAGE_FAILED',
          `exec-node ${nodeId}: computed key ${computed} but the submitter expected ${values['expect-key']}: code or inputs changed after submission; rerun serx`,
        );
        line(io.stderr, error.format());
        return exitCodeOf(error.code);
      }
      // the node's error as data, rebuilt by the submitter with its code (and its cause's)
      const failure = summary.errors[0];
      if (failure) lines.error(failure);
      for (const error of summary.errors) {
        line(io.stderr, error.format());
        const cause = error.cause as Error | undefined;
        if (cause?.stack) line(io.stderr, cause.stack.replace(/^/gm, '    '));
      }
      if (store && computed && summary.status === 'succeeded') {
        const pushed = await pushEntry(cache, store, computed);
        line(
          io.stdout,
          `serx exec-node ${nodeId}: ${pushed.status} ${computed.slice(0, 12)} on ${store.url}`,
        );
      }
      line(
        io.stdout,
        `serx exec-node ${nodeId}: ${summary.stages[nodeId]?.status} in ${summary.durationMs} ms`,
      );
      return summaryExitCode(summary);
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};
