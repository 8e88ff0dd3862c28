import { spawnSync } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { threadBudget } from '../../backend/threads.ts';
import type { CliCommand, CliIO } from '../../contract.ts';
import { parseCommandArgs } from '../args.ts';
import { cacheDirOf, line } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { loadDefaultPlugins } from '../default-plugins.ts';
import { formatBytes } from '../display/format.ts';

const usage = 'serx doctor [--cache <dir>]';

async function backendLines(): Promise<string[]> {
  try {
    const backend = await import('../../backend/index.ts');
    return backend.formatBackendReport(await backend.describeBackend());
  } catch (error) {
    return [`backend: unavailable (${(error as Error).message.split('\n')[0]})`];
  }
}

export async function mlflowLine(env: NodeJS.ProcessEnv): Promise<string> {
  const uri = env.MLFLOW_TRACKING_URI;
  if (!uri)
    return 'mlflow: not configured (set MLFLOW_TRACKING_URI; runs are still recorded under the cache dir)';
  if (!/^https?:\/\//.test(uri)) return `mlflow: ${uri} is not an http(s) server; tracking is off`;
  try {
    const response = await fetch(new URL('health', uri.endsWith('/') ? uri : `${uri}/`), {
      signal: AbortSignal.timeout(3000),
    });
    return `mlflow: ${uri} ${response.ok ? 'reachable' : `answers HTTP ${response.status}`}`;
  } catch (error) {
    return `mlflow: ${uri} unreachable (${(error as Error).message}); events are journaled, replay with \`serx sync\``;
  }
}

function ffmpegLine(): string {
  const result = spawnSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 5000 });
  if (result.error || result.status !== 0)
    return 'ffmpeg: not found (only needed for formats without a built-in decoder)';
  return `ffmpeg: ${result.stdout.split('\n')[0]}`;
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
  summary: 'check the environment: Node, cores, TensorFlow backend, MLflow, ffmpeg, plugins, cache',
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
    for (const text of await backendLines()) line(io.stdout, text);
    line(io.stdout, await mlflowLine(io.env));
    line(io.stdout, ffmpegLine());
    const plugins = await loadDefaultPlugins(io);
    line(
      io.stdout,
      `plugins: ${plugins.map((p) => `${p.name}@${p.version} (${p.stages.length} stages)`).join(', ') || 'none of the default plugins is installed'}`,
    );
    line(io.stdout, await cacheLine(io, values.cache));
    return 0;
  },
};
