import { readFileSync } from 'node:fs';
import type { CliCommand, CliIO } from '../contract.ts';
import { SerxError } from '../errors.ts';
import { inPluginHook } from '../plugins/plugin-hook.ts';
import { line } from './context.ts';
import { reportError } from './report-error.ts';

/** Built-in commands, imported on demand so that `serx run` starts fast. */
const BUILTINS: { [name: string]: () => Promise<CliCommand> } = {
  run: async () => (await import('./commands/run.ts')).runCommand,
  plan: async () => (await import('./commands/plan.ts')).planCommand,
  why: async () => (await import('./commands/why.ts')).whyCommand,
  graph: async () => (await import('./commands/graph.ts')).graphCommand,
  gc: async () => (await import('./commands/gc.ts')).gcCommand,
  pin: async () => (await import('./commands/pin.ts')).pinCommand,
  doctor: async () => (await import('./commands/doctor.ts')).doctorCommand,
  schema: async () => (await import('./commands/schema.ts')).schemaCommand,
  sync: async () => (await import('./commands/sync.ts')).syncCommand,
  compare: async () => (await import('./commands/compare.ts')).compareCommand,
  push: async () => (await import('./commands/push.ts')).pushCommand,
  pull: async () => (await import('./commands/pull.ts')).pullCommand,
  'exec-node': async () => (await import('./commands/exec-node.ts')).execNodeCommand,
  init: async () => (await import('./commands/init.ts')).initCommand,
  setup: async () => (await import('./commands/setup.ts')).setupCommand,
};

function version(): string {
  return (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
}

async function pluginCommands(io: CliIO): Promise<CliCommand[]> {
  const { loadDefaultPlugins } = await import('./default-plugins.ts');
  return (await loadDefaultPlugins(io)).flatMap((plugin) =>
    (plugin.commands ?? [])
      .filter((c) => !(c.name in BUILTINS))
      .map((c) => ({
        ...c,
        run: (argv: string[], io: CliIO) =>
          inPluginHook(plugin.name, `command '${c.name}'`, () => c.run(argv, io)),
      })),
  );
}

async function printHelp(io: CliIO): Promise<void> {
  const commands = [
    ...(await Promise.all(Object.values(BUILTINS).map((load) => load()))),
    ...(await pluginCommands(io)),
  ];
  const width = Math.max(...commands.map((c) => c.name.length));
  line(io.stdout, `serx ${version()}: YAML experiment graphs with a content-hashed cache\n`);
  line(io.stdout, 'usage: serx <command> [options]   (serx <command> --help for its options)\n');
  for (const command of commands) line(io.stdout, `  ${command.name.padEnd(width)}  ${command.summary}`);
  line(io.stdout, '\nexit codes: 0 ok, 1 stage failure, 2 spec or usage error, 130 interrupted');
  line(io.stdout, 'cache dir: --cache, else $SERX_CACHE, else .serx/cache under the current directory');
}

/** The `serx` command line. Returns the process exit code. */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env },
): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      await printHelp(io);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      line(io.stdout, version());
      return 0;
    }
    const load = BUILTINS[name];
    const command = load ? await load() : (await pluginCommands(io)).find((c) => c.name === name);
    if (!command) throw new SerxError('USAGE', `unknown command '${name}' (serx --help lists the commands)`);
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}
