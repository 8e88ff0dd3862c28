import { hostname } from 'node:os';
import { pullThrough } from '../../cache/remote/pull-through.ts';
import { pushEntry } from '../../cache/remote/push.ts';
import { remoteJobs, remoteSettings } from '../../cache/remote/remote-config.ts';
import { RemoteStore } from '../../cache/remote/remote-store.ts';
import type { CliCommand } from '../../contract.ts';
import { exitCodeOf, SerxError } from '../../errors.ts';
import { jobLineWriter } from '../../run/executors/job-lines.ts';
import { createExecutor, currentJob } from '../../run/executors/registry.ts';
import type { NodeOutcome } from '../../run/node-outcome.ts';
import { planGraph } from '../../run/plan.ts';
import { newRunId } from '../../run/record.ts';
import { runGraph } from '../../run/run-graph.ts';
import { runShardInJob } from '../../run/shards/shard-job.ts';
import { interrupted } from '../../run/stage-errors.ts';
import { summaryExitCode } from '../../run/summary.ts';
import { parseCommandArgs, positiveInt, specOptions, usageError } from '../args.ts';
import { line, loadCliSpec, openCliCache } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { overridesOf } from '../overrides.ts';

const usage =
  'serx exec-node <spec> <node-id>... [--units <json> --pick <i> | --shards <i,j...> --pick <k>] [--set PATH=VALUE]... [--matrix AXIS=v1,v2]... [--cache <dir>] [--expect-key [<node-id>=]<key>]... [--run-id <id>] [--threads <n>] [--stage-executor in-process|process|workers] [--plugin <pkg>]...';

/** The node ids this job computes: its positionals, or entry `--pick` of `--units` (a job array's task). */
function membersOf(positionals: string[], units: string | undefined, pick: string | undefined): string[] {
  if (units === undefined) {
    if (positionals.length < 2) throw usageError('exec-node takes a spec file and node ids', usage);
    return positionals.slice(1);
  }
  if (positionals.length !== 1 || pick === undefined)
    throw usageError('exec-node --units takes the spec file alone, and --pick', usage);
  let list: unknown;
  try {
    list = JSON.parse(units);
  } catch {}
  const index = Number(pick);
  const chosen = Array.isArray(list) && Number.isInteger(index) ? list[index] : undefined;
  if (!Array.isArray(chosen) || chosen.length === 0 || !chosen.every((id) => typeof id === 'string'))
    throw usageError(`--units must be a JSON list of lists of node ids with an entry ${pick}`, usage);
  return chosen as string[];
}

/** `--expect-key` values: `<key>` (a job of one node) or `<node-id>=<key>`. */
function expectedKeys(values: string[] | undefined, members: string[]): Map<string, string> {
  const expected = new Map<string, string>();
  for (const value of values ?? []) {
    const at = value.lastIndexOf('=');
    if (at < 0 && members.length === 1) expected.set(members[0] as string, value);
    else if (at > 0) expected.set(value.slice(0, at), value.slice(at + 1));
    else throw usageError(`--expect-key ${value}: give <node-id>=<key> for a job of several nodes`, usage);
  }
  return expected;
}

/**
 * Computes nodes of a spec against the cache, in this process: the body of a cluster job
 * (`--executor slurm` submits one per node, or per job group) or of any other process that must
 * contain stages. What the nodes read from outside the job must already be published; it never
 * computes it. Progress, logs, metrics and each node's end go to stdout as `@serx {json}` lines
 * for the submitter to relay (a node's `done` line once its entry can be read there).
 */
export const execNodeCommand: CliCommand = {
  name: 'exec-node',
  summary: 'compute nodes whose inputs are cached (the body of a cluster job)',
  usage,
  async run(argv, io) {
    const { values, positionals, tokens } = parseCommandArgs(
      argv,
      {
        ...specOptions,
        'expect-key': { type: 'string', multiple: true },
        'run-id': { type: 'string' },
        threads: { type: 'string' },
        units: { type: 'string' },
        pick: { type: 'string' },
        shards: { type: 'string' },
        'stage-executor': { type: 'string' },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (values.shards !== undefined) return execShard(positionals, values, tokens, io);
    const members = membersOf(positionals, values.units, values.pick);
    const file = positionals[0] as string;
    const threads = positiveInt(values.threads, '--threads', usage);
    const graph = await loadCliSpec(file, io, values.plugin, overridesOf(tokens));
    const unknown = members.filter((id) => !graph.nodes.has(id));
    if (unknown.length > 0)
      throw usageError(
        `no node ${unknown.map((id) => `'${id}'`).join(', ')} in spec '${graph.spec.name}' (nodes: ${graph.order.join(', ')})`,
        usage,
      );
    const expected = expectedKeys(values['expect-key'], members);
    const label = members.length === 1 ? (members[0] as string) : `${members[0]} (+${members.length - 1})`;
    // `remote.jobs`: a node without the shared filesystem pulls its inputs and pushes its output
    const jobs = remoteJobs(io) ? remoteSettings(io) : undefined;
    // shards meet in the cache's work folder: jobs without the shared filesystem cannot merge them
    const sharded = members.filter((id) => graph.nodes.get(id)?.shards);
    if (jobs && (values.shards !== undefined || sharded.length > 0))
      throw new SerxError(
        'REMOTE',
        `exec-node ${sharded.join(', ') || label}: a sharded stage needs the shared filesystem (its shards are merged from the cache's work folder), and remote.jobs says the jobs have none: drop 'shards'/'shardSize' from the stage, or run without remote.jobs`,
      );
    const cache = await openCliCache(jobs?.jobCache ?? values.cache, io);
    const store = jobs ? new RemoteStore(jobs) : undefined;
    if (store)
      pullThrough(cache, store, (message) => line(io.stderr, `warning: ${message}`), { strict: true });
    const job = currentJob(io.env);
    const where = job ? `${job.scheduler} job ${job.id} on ${hostname()}` : `pid ${process.pid}`;
    line(io.stdout, `serx exec-node ${members.join(' ')} (${where})`);

    const plan = await planGraph(graph, cache, { only: members });
    const inJob = new Set(members);
    const missing = plan.nodes.filter((n) => !inJob.has(n.id) && n.status !== 'hit').map((n) => n.id);
    if (missing.length > 0)
      throw new SerxError(
        'STAGE_FAILED',
        `exec-node ${label}: upstream not in the cache: ${missing.join(', ')}`,
      );
    for (const [id, key] of expected) {
      const here = plan.nodes.find((n) => n.id === id)?.key;
      if (here !== undefined && here !== key)
        throw new SerxError(
          'STAGE_FAILED',
          `exec-node ${id}: its key here is ${here} but the submitter computed ${key}: the job sees other inputs (environment variables, corpus files, code, plugin versions) than the submitting host`,
        );
    }

    // The job is the stages' container (a crash fails the job, which the submitter reports): by
    // default they run in this process, without a stage process to start per stage
    const stageKind = values['stage-executor'] ?? 'in-process';
    if (!['in-process', 'process', 'workers'].includes(stageKind))
      throw usageError(`--stage-executor ${stageKind}: one of in-process, process, workers`, usage);
    const executor = await createExecutor({ settings: { kind: stageKind, from: '--stage-executor' } });
    const lines = jobLineWriter(io.stdout, members);
    const controller = new AbortController();
    // scancel and time limits send SIGTERM: stop the stages, discard staging, release the locks
    const onSignal = (signal: NodeJS.Signals) => {
      line(io.stderr, `${signal}: stopping ${label}`);
      controller.abort(interrupted(`interrupted by ${signal}`));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    let mismatch: SerxError | undefined;
    // each node's end, in order: its entry pushed first when jobs use the remote cache
    let reported: Promise<void> = Promise.resolve();
    const report = (id: string, outcome: NodeOutcome) => {
      const { status, key } = outcome.record;
      reported = reported.then(async () => {
        let state: string = status;
        if (expected.has(id) && key !== undefined && key !== expected.get(id)) {
          // the inputs or the code changed between planning above and running (a live edit)
          mismatch ??= new SerxError(
            'STAGE_FAILED',
            `exec-node ${id}: computed key ${key} but the submitter expected ${expected.get(id)}: code or inputs changed after submission; rerun serx`,
          );
          state = 'failed';
        } else if (store && key && (status === 'succeeded' || status === 'cached')) {
          const pushed = await pushEntry(cache, store, key);
          line(io.stdout, `serx exec-node ${id}: ${pushed.status} ${key.slice(0, 12)} on ${store.url}`);
        }
        // the node's error as data, rebuilt by the submitter with its code (and its cause's)
        if (outcome.error) lines.error(id, outcome.error);
        lines.done(id, state, key, hostname());
      });
    };
    try {
      const summary = await runGraph(graph, {
        cache,
        only: members,
        jobs: threads ?? 1,
        // the submitter decides whether a failure stops the rest: a job of several nodes computes
        // every node that does not depend on a failed one
        onError: members.length > 1 ? 'keep-going' : 'fail',
        ...(threads ? { threads } : {}),
        signal: controller.signal,
        executor,
        trackers: [lines.tracker],
        onEvent: (event) => lines.onEvent(event),
        onSettled: (id, outcome) => {
          if (inJob.has(id)) report(id, outcome);
        },
        runId: `${values['run-id'] ?? newRunId()}.${job ? `job${job.id}` : `pid${process.pid}`}`,
      });
      await reported;
      if (mismatch) {
        line(io.stderr, mismatch.format());
        return exitCodeOf(mismatch.code);
      }
      for (const error of summary.errors) {
        line(io.stderr, error.format());
        const cause = error.cause as Error | undefined;
        if (cause?.stack) line(io.stderr, cause.stack.replace(/^/gm, '    '));
      }
      for (const id of members)
        line(io.stdout, `serx exec-node ${id}: ${summary.stages[id]?.status} in ${summary.durationMs} ms`);
      return summaryExitCode(summary);
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      // a stage that left a timer or socket behind must not keep the job alive once it is done
      setTimeout(() => process.exit(), 5000).unref();
    }
  },
};

/** `--shards <i,j,...> --pick <k>`: one task of a node's shard array computes shard list[k] (run/shards). */
async function execShard(
  positionals: string[],
  values: { [name: string]: unknown },
  tokens: Parameters<typeof overridesOf>[0],
  io: Parameters<CliCommand['run']>[1],
): Promise<number> {
  const list = String(values.shards).split(',').map(Number);
  const index = list[Number(values.pick ?? 0)];
  if (positionals.length !== 2 || index === undefined || !Number.isInteger(index) || index < 0)
    throw usageError('exec-node --shards <i,j...> --pick <k> takes the spec file and one node id', usage);
  const [file, nodeId] = positionals as [string, string];
  const threads = positiveInt(values.threads as string | undefined, '--threads', usage) ?? 1;
  const graph = await loadCliSpec(file, io, values.plugin as string[] | undefined, overridesOf(tokens));
  const cache = await openCliCache(values.cache as string | undefined, io);
  const job = currentJob(io.env);
  line(
    io.stdout,
    `serx exec-node ${nodeId} shard ${index + 1} (${job ? `${job.scheduler} job ${job.id} on ${hostname()}` : `pid ${process.pid}`})`,
  );
  const lines = jobLineWriter(io.stdout, [nodeId]);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(interrupted(`interrupted by ${signal}`));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const expect = (values['expect-key'] as string[] | undefined)?.[0];
  try {
    const outcome = await runShardInJob(graph, cache, nodeId, index, {
      threads,
      signal: controller.signal,
      emit: (event) => lines.onEvent(event),
      tracker: lines.tracker,
      ...(expect ? { expectKey: expect.slice(expect.lastIndexOf('=') + 1) } : {}),
    });
    line(io.stdout, `serx exec-node ${nodeId} shard ${index + 1}: ${outcome}`);
    return 0;
  } catch (error) {
    lines.error(nodeId, error as Error);
    const serx =
      error instanceof SerxError ? error : new SerxError('STAGE_FAILED', String(error), { cause: error });
    line(io.stderr, serx.format());
    return exitCodeOf(serx.code);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    setTimeout(() => process.exit(), 5000).unref();
  }
}
