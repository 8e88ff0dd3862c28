import { access, constants } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { CliCommand, CliIO, DoctorCheck, SerxPlugin } from '../../contract.ts';
import { threadBudget } from '../../threads.ts';
import { parseCommandArgs } from '../args.ts';
import { cacheDirOf, line } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { loadDefaultPlugins } from '../default-plugins.ts';
import { formatBytes } from '../display/format.ts';

const usage = 'serx doctor [--cache <dir>]';

/** The plugins' checks, each name once (the model plugins share the TensorFlow backend check). */
export async function pluginCheckLines(plugins: readonly SerxPlugin[]): Promise<string[]> {
  const checks = new Map<string, DoctorCheck>();
  for (const check of plugins.flatMap((p) => p.doctor ?? []))
    if (!checks.has(check.name)) checks.set(check.name, check);
  const lines: string[] = [];
  for (const check of checks.values()) {
    try {
      lines.push(...(await check.run()));
    } catch (error) {
      lines.push(`${check.name}: check failed (${(error as Error).message.split('\n')[0]})`);
    }
  }
  return lines;
}

export function pluginsLine(plugins: readonly SerxPlugin[]): string {
  if (plugins.length === 0) return 'plugins: none of the default plugins is installed';
  const count = (n: number) => `${n} stage${n === 1 ? '' : 's'}`;
  return `plugins: ${plugins.map((p) => `${p.name}@${p.version} (${count(p.stages.length)})`).join(', ')}`;
}

export async function mlflowLine(env: NodeJS.ProcessEnv): Promise<string> {
  const uri = env.MLFLOW_TRACKING_URI;
  if (!uri)
    return 'mlflow: not configured (set MLFLOW_TRACKING_URI; runs are still recorded under the cache dir)';
  if (!/^https?:\/\//.test(uri))
    return `mlflow: ${uri} is not an http(s) server; serx run refuses it (unset MLFLOW_TRACKING_URI or point it at a server)`;
  try {
    const response = await fetch(new URL('health', uri.endsWith('/') ? uri : `${uri}/`), {
      signal: AbortSignal.timeout(3000),
    });
    return `mlflow: ${uri} ${response.ok ? 'reachable' : `answers HTTP ${response.status}`}`;
  } catch (error) {
    return `mlflow: ${uri} unreachable (${(error as Error).message}); events are journaled, replay with \`serx sync\``;
  }
}

async function cacheLine(io: CliIO, flag: string | undefined): Promise<string> {
  const dir = cacheDirOf(flag, io);
  const writable = await access(dir, constants.W_OK).then(
    () => 'writable',
    () => 'not created yet or not writable',
  );
  return `cache: ${dir} (${writable})`;
}

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: "check the environment: Node, cores, MLflow, plugins, cache, and the plugins' own checks",
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      { cache: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    const cores = availableParallelism();
    line(io.stdout, `node: ${process.version} (${process.platform}-${process.arch})`);
    line(
      io.stdout,
      `cpu: ${cores} core(s) available, ${cpus()[0]?.model ?? 'unknown model'}, ${formatBytes(totalmem())} RAM`,
    );
    line(
      io.stdout,
      `threads: cpu-heavy stages get ${threadBudget()} (--threads or $SERX_THREADS to change), --jobs defaults to ${cores}`,
    );
    const plugins = await loadDefaultPlugins(io);
    for (const text of await pluginCheckLines(plugins)) line(io.stdout, text);
    line(io.stdout, await mlflowLine(io.env));
    line(io.stdout, pluginsLine(plugins));
    line(io.stdout, await cacheLine(io, values.cache));
    return 0;
  },
};
