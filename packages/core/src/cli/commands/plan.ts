import type { CliCommand } from '../../contract.ts';
import { planGraph } from '../../run/plan.ts';
import { OVERRIDE_USAGE, parseCommandArgs, specOptions, usageError } from '../args.ts';
import { cacheDirOf, line, loadCliSpec, openCliCache } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { overridesOf, variantSelection } from '../overrides.ts';
import { reusedNote } from './reused-note.ts';

const usage = `serx plan <spec> ${OVERRIDE_USAGE} [--variant AXIS=VALUE]... [--only <stage>]... [--from <stage>]... [--executor <kind>] [--json] [--cache <dir>] [--plugin <pkg>]...`;

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'dry run: each stage hit / miss / pending and, for a miss, what changed since the last run',
  usage,
  async run(argv, io) {
    const { values, positionals, tokens } = parseCommandArgs(
      argv,
      {
        ...specOptions,
        only: { type: 'string', multiple: true },
        from: { type: 'string', multiple: true },
        executor: { type: 'string' },
        variant: { type: 'string', multiple: true },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (positionals.length !== 1) throw usageError('plan takes exactly one spec file', usage);
    const graph = await loadCliSpec(positionals[0] as string, io, values.plugin, overridesOf(tokens));
    const selection = {
      ...(values.only ? { only: values.only } : {}),
      ...(values.from ? { from: values.from } : {}),
    };
    const variants = variantSelection(graph, values.variant, selection, io.cwd);
    const plan = await planGraph(
      graph,
      await openCliCache(values.cache, io),
      variants ? { only: variants } : selection,
    );
    const { executorSettings } = await import('../../run/executors/executor-config.ts');
    const { plannedJobs } = await import('../../run/executors/planned-jobs.ts');
    const jobs = plannedJobs(graph, plan, executorSettings(graph.spec, io, values.executor), {
      cacheDir: cacheDirOf(values.cache, io),
      cwd: io.cwd,
    });
    if (values.json) {
      line(io.stdout, JSON.stringify(jobs ? { ...plan, jobs } : plan, null, 1));
      return 0;
    }
    const width = Math.max(...plan.nodes.map((n) => n.id.length), 4);
    for (const node of plan.nodes) {
      const key = node.key ? node.key.slice(0, 12) : '?'.repeat(12);
      line(io.stdout, `${node.status.padEnd(7)} ${node.id.padEnd(width)} ${key}  ${node.stage}`);
      for (const reason of node.reasons) line(io.stdout, `        ↳ ${reason}`);
      const reused = node.reusedAcrossCodeChange;
      if (reused) line(io.stdout, `        ↳ ${reusedNote(reused)}`);
      const job = jobs?.[node.id];
      if (job?.group !== undefined && job.members?.[0] !== node.id && jobs?.[job.members?.[0] as string])
        line(io.stdout, `        ↳ in ${job.executor} job group ${job.group}`);
      else if (job?.group !== undefined)
        line(
          io.stdout,
          `        ↳ ${job.executor} job group ${job.group} (${job.members?.length} nodes): ${job.args.join(' ')}`,
        );
      else if (job) line(io.stdout, `        ↳ ${job.executor} job: ${job.args.join(' ')}`);
    }
    line(io.stdout, `${plan.counts.hit} hit, ${plan.counts.miss} miss, ${plan.counts.pending} pending`);
    return 0;
  },
};
