import type { CliCommand } from '../../contract.ts';
import { type GraphFormat, renderGraph } from '../../graph/render.ts';
import { OVERRIDE_USAGE, parseCommandArgs, specOptions, usageError } from '../args.ts';
import { line, loadCliSpec } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { overridesOf } from '../overrides.ts';

const usage = `serx graph <spec> ${OVERRIDE_USAGE} [--format mermaid|dot] [--plugin <pkg>]...`;

export const graphCommand: CliCommand = {
  name: 'graph',
  summary: 'print the resolved stage graph as Mermaid or Graphviz dot',
  usage,
  async run(argv, io) {
    const { values, positionals, tokens } = parseCommandArgs(
      argv,
      { ...specOptions, format: { type: 'string', short: 'f' } },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (positionals.length !== 1) throw usageError('graph takes exactly one spec file', usage);
    const format = values.format ?? 'mermaid';
    if (format !== 'mermaid' && format !== 'dot')
      throw usageError(`--format must be mermaid or dot, got '${format}'`, usage);
    const graph = await loadCliSpec(positionals[0] as string, io, values.plugin, overridesOf(tokens));
    line(io.stdout, renderGraph(graph, format as GraphFormat).trimEnd());
    return 0;
  },
};
