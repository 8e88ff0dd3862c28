/**
 * The built-in `command` stage: the user's own program (Python, R, a shell tool) as a node of the
 * graph, cached and tracked like any stage. Its ports come from the spec node (`inputs:` wires any
 * upstream outputs, `outputs:` names outputs with their artifact types); see docs/stages.md.
 */

import { defineStage, type InputSpecs, type Json, type OutputSpec, paramsSchema } from '../contract.ts';
import { SerxError } from '../errors.ts';
import { commandArgv, placeholders, shellCommand, splitWords } from './argv.ts';
import { checkedType, checkOutputs } from './check-outputs.ts';
import { runChild } from './child.ts';
import { CommandErrors } from './errors.ts';
import { interpreterVersion, namedInterpreter } from './interpreter.ts';

export interface CommandParams {
  /** The command: text split into words like a shell does (nothing expanded), or a list of words. */
  run: string | string[];
  /** Files the command executes (scripts, modules): their content is in the cache key. */
  code: string[];
  /** A requirements or lock file pinning the interpreter's packages: its content is in the key. */
  requirements?: string;
  /** The interpreter whose `--version` is in the key; default: `run`'s first word when it is python*, Rscript, R or julia. */
  interpreter?: string;
  /** Extra environment variables. */
  env: { [name: string]: string };
  /** Run `run` with `/bin/sh -c` (placeholders single-quoted); default false: no shell. */
  shell: boolean;
  /** Working directory; default: the spec's directory. */
  cwd: string;
  /** Inputs the command trains or selects on (held-out corpora may not reach them); default: all. */
  fits?: string[];
  /** Output name → artifact type, from the spec node's `outputs:` (set by the graph). */
  outputs: { [name: string]: string };
  [param: string]: Json | undefined;
}

const OWN = new Set(['run', 'code', 'requirements', 'interpreter', 'env', 'shell', 'cwd', 'fits', 'outputs']);

function childEnv(params: CommandParams, extra: { [name: string]: string } = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...params.env, ...extra };
}

function firstWord(params: CommandParams): string | undefined {
  if (params.shell) return undefined;
  try {
    return typeof params.run === 'string' ? splitWords(params.run)[0] : params.run[0];
  } catch {
    return undefined;
  }
}

function checkPlaceholders(params: CommandParams): void {
  for (const name of placeholders(params.run)) {
    const [kind, key] = name.trim().split('.');
    if (kind === 'params' && key !== undefined && OWN.has(key) && key !== 'outputs') continue; // allowed, if odd
    if (kind === 'outputs' && key !== undefined && !(key in params.outputs))
      throw new SerxError(
        CommandErrors.PLACEHOLDER,
        `params.run: {${name}} names no output (outputs: ${Object.keys(params.outputs).join(', ') || 'none'}); declare it under the stage's outputs:`,
      );
    if (kind === 'params' && key !== undefined && !(key in params))
      throw new SerxError(CommandErrors.PLACEHOLDER, `params.run: {${name}} names no param`);
  }
}

export const command = defineStage({
  name: 'command',
  version: '1',
  description: "the user's own program (Python, R, shell) as a stage: argv without a shell, code in the key",
  params: paramsSchema<CommandParams>({
    type: 'object',
    required: ['run'],
    additionalProperties: true,
    properties: {
      run: {
        type: ['string', 'array'],
        minLength: 1,
        minItems: 1,
        items: { type: 'string' },
        description:
          'the command; {inputs.x}, {outputs.y}, {params.z}, {seed}, {threads} expand to one argument each (a list input to several)',
      },
      code: { type: 'array', items: { type: 'string', format: 'existing-file' }, default: [] },
      requirements: { type: 'string', format: 'existing-file' },
      interpreter: { type: 'string', minLength: 1 },
      env: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
      shell: { type: 'boolean', default: false },
      cwd: { type: 'string', format: 'existing-directory', default: '.' },
      fits: { type: 'array', items: { type: 'string' } },
      outputs: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
    },
  }),
  inputs: {},
  outputs: {},
  resources: { class: 'cpu-heavy' },
  specPorts(declared) {
    const fits = declared.params.fits;
    const fitting = Array.isArray(fits) ? new Set(fits.map(String)) : undefined;
    const names = declared.inputs.map((input) => input.name);
    for (const name of fitting ?? [])
      if (!names.includes(name))
        throw new SerxError(
          'SPEC_INVALID',
          `params.fits names '${name}', which is not an input (inputs: ${names.join(', ') || 'none'})`,
        );
    const inputs: InputSpecs = Object.fromEntries(
      declared.inputs.map(({ name, list }) => [
        name,
        // any upstream output: the command decides what it reads
        { type: '*', many: list, fits: fitting ? fitting.has(name) : true },
      ]),
    );
    const outputs: { [name: string]: OutputSpec } = {};
    for (const [name, type] of Object.entries(declared.outputs)) {
      if (typeof type !== 'string')
        throw new SerxError('SPEC_INVALID', `output '${name}' needs an artifact type, e.g. ${name}: files`);
      checkedType(name, type);
      outputs[name] = { type };
    }
    if (Object.keys(outputs).length === 0)
      throw new SerxError('SPEC_INVALID', 'a command stage needs outputs: { <name>: <artifact type> }');
    return { inputs, outputs };
  },
  codeDependencies: (params) => [...params.code, ...(params.requirements ? [params.requirements] : [])],
  async fingerprint(params, signal) {
    checkPlaceholders(params);
    const interpreter = namedInterpreter(params.interpreter, firstWord(params));
    if (!interpreter) return 'no interpreter named';
    return `${interpreter}: ${await interpreterVersion(interpreter, params.cwd, childEnv(params), signal)}`;
  },
  async run(ctx) {
    const params = ctx.params;
    const values = {
      inputs: ctx.inputs,
      outputs: ctx.outputs,
      params: params as { [key: string]: Json },
      seed: ctx.seed,
      threads: ctx.threads,
    };
    const env = childEnv(params, { SERX_SEED: String(ctx.seed), SERX_THREADS: String(ctx.threads) });
    const argv = params.shell
      ? ['/bin/sh', '-c', shellCommand(params.run, values)]
      : commandArgv(params.run, values);
    const [file, ...args] = argv as [string, ...string[]];
    ctx.log.info(`$ ${argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}`);
    const started = Date.now();
    await runChild({ file, args, cwd: params.cwd, env, display: `command '${file}'` }, ctx.log, ctx.signal);
    const seconds = (Date.now() - started) / 1000;
    await checkOutputs(ctx.outputs, params.outputs);
    return { metrics: { command_seconds: seconds } };
  },
});
