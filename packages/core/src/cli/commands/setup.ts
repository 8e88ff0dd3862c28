import type { CliCommand, ProvisionStep, SerxPlugin } from '../../contract.ts';
import { SerxError } from '../../errors.ts';
import { inPluginHook } from '../../plugins/plugin-hook.ts';
import { parseCommandArgs, usageError } from '../args.ts';
import { line } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { loadDefaultPlugins } from '../default-plugins.ts';

const usage = 'serx setup [--check] [--with <step>]... [--force <step>]... [--plugin <name>]...';

/** The plugins' provisioning steps, each name once, in the order first listed (like doctor checks). */
export function provisionSteps(plugins: readonly SerxPlugin[]): { step: ProvisionStep; plugin: string }[] {
  const steps = new Map<string, { step: ProvisionStep; plugin: string }>();
  for (const plugin of plugins)
    for (const step of plugin.provision ?? [])
      if (!steps.has(step.name)) steps.set(step.name, { step, plugin: plugin.name });
  return [...steps.values()];
}

/**
 * `serx setup`: runs the provisioning steps the installed plugins declare (`provision` in
 * `definePlugin`): the default plugins plus any `--plugin`. Each step is idempotent and says what
 * it did; `--check` only reports (exit 1 when a step needs work), `--force <step>` redoes one. An
 * opt-in step (`optIn`, e.g. openSMILE under its research licence) runs only when named by `--with`
 * or `--force`; `--check` lists it without failing on it.
 */
export const setupCommand: CliCommand = {
  name: 'setup',
  summary: "run the installed plugins' provisioning steps (native addons, libraries); --check reports",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        force: { type: 'string', multiple: true },
        with: { type: 'string', multiple: true },
        plugin: { type: 'string', multiple: true },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (positionals.length > 0) throw usageError('setup takes no positional arguments', usage);
    const steps = provisionSteps(await loadDefaultPlugins(io, values.plugin ?? []));
    const names = steps.map(({ step }) => step.name);
    for (const [flag, list] of [
      ['--force', values.force],
      ['--with', values.with],
    ] as const)
      for (const name of list ?? [])
        if (!names.includes(name))
          throw usageError(
            `${flag} ${name}: no such provisioning step (the installed plugins have: ${names.join(', ') || 'none'})`,
            usage,
          );
    const named = new Set([...(values.force ?? []), ...(values.with ?? [])]);
    if (steps.length === 0) {
      throw new SerxError(
        'ENVIRONMENT',
        `no installed plugin under ${io.cwd} has a provisioning step: install the serx plugins first (\`npm install @serx/stage-features @serx/stage-ser\`, or \`serx init\`)`,
      );
    }
    if (values.check) {
      let ok = true;
      for (const { step, plugin } of steps) {
        const state = await inPluginHook(plugin, `provision step '${step.name}' check()`, () => step.check());
        const optional = step.optIn && !named.has(step.name);
        ok &&= state.ok || Boolean(optional);
        const verdict = state.ok
          ? 'ok'
          : optional
            ? `opt-in, not set up: serx setup --with ${step.name}`
            : 'NEEDS SETUP';
        line(io.stdout, `${step.name}: ${verdict} (${state.detail})`);
      }
      return ok ? 0 : 1;
    }
    const run = steps.filter(({ step }) => !step.optIn || named.has(step.name));
    for (const { step, plugin } of run) {
      const force = values.force?.includes(step.name) ?? false;
      const retryCommand = `serx setup --force ${step.name}`;
      await inPluginHook(plugin, `provision step '${step.name}'`, () => step.run({ force, retryCommand }));
    }
    // Opt-in steps left out: named when they are not set up already (e.g. by an earlier --with).
    const skipped: string[] = [];
    for (const { step, plugin } of steps.filter((s) => !run.includes(s))) {
      const state = await inPluginHook(plugin, `provision step '${step.name}' check()`, () => step.check());
      if (!state.ok) skipped.push(`--with ${step.name}`);
    }
    line(
      io.stdout,
      `serx setup: done (${run.map(({ step }) => step.name).join(', ')}; \`serx doctor\` shows the backend)${skipped.length > 0 ? `; opt-in steps not run: ${skipped.join(', ')}` : ''}`,
    );
    return 0;
  },
};
