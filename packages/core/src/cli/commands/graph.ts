import type { CliCommand } from '../../contract.ts';
import { type GraphFormat, renderGraph } from '../../graph/render.ts';
import { parseCommandArgs, specOptions, usageError } from '../args.ts';
import { line, loadCliSpec } from '../context.ts';
import { printUsage } from '../context-print.ts';

const usage = 'serx graph <spec> [--format mermaid|dot] [--plugin <pkg>]...';

export const graphCommand: CliCommand = {
  name: 'graph',
  summary: 'print the resolved stage graph as Mermaid or Graphviz dot',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { ...specOptions, format: { type: 'string', short: 'f' } },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (positionals.length !== 1) throw usageError('graph takes exactly one spec file', usage);
    const format = values.format ?? 'mermaid';
    if (format !== 'mermaid' && format !== 'dot')
      throw usageError(`--format must be mermaid or dot, got '${format}'`, usage);
    const graph = await loadCliSpec(positionals[0] as string, io, values.plugin);
    line(io.stdout, renderGraph(graph, format as GraphFormat).trimEnd());
    return 0;
  },
};
