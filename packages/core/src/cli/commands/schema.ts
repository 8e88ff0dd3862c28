import type { CliCommand } from '../../contract.ts';
import { createRegistry } from '../../plugins/registry.ts';
import { parseCommandArgs } from '../args.ts';
import { line } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { loadDefaultPlugins } from '../default-plugins.ts';
import { specJsonSchema } from '../spec-json-schema.ts';

const usage = 'serx schema [--plugin <pkg>]...   (JSON Schema of spec files, for YAML editors)';

export const schemaCommand: CliCommand = {
  name: 'schema',
  summary: 'print the JSON Schema of spec files (stages of the default plugins and --plugin ones)',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      { plugin: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    const registry = createRegistry();
    for (const plugin of await loadDefaultPlugins(io, values.plugin ?? [])) registry.register(plugin);
    line(io.stdout, JSON.stringify(specJsonSchema(registry), null, 2));
    return 0;
  },
};
