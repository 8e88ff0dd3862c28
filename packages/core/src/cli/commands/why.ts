import { canonicalJson } from '../../cache/canonical-json.ts';
import type { CliCommand, CliIO } from '../../contract.ts';
import { type PlannedNode, planGraph } from '../../run/plan.ts';
import { OVERRIDE_USAGE, parseCommandArgs, specOptions, usageError } from '../args.ts';
import { line, loadCliSpec, openCliCache } from '../context.ts';
import { printUsage } from '../context-print.ts';
import { overridesOf } from '../overrides.ts';
import { reusedNote } from './reused-note.ts';

const usage = `serx why <spec> <stage> ${OVERRIDE_USAGE} [--json] [--cache <dir>] [--plugin <pkg>]...`;

/** The misses upstream that make `node` pending, as `'b' miss: param value: 2 → 5` lines. */
function rootCauses(node: PlannedNode, byId: Map<string, PlannedNode>, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const id of node.waitsFor) {
    const up = byId.get(id);
    if (!up || seen.has(id)) continue;
    seen.add(id);
    if (up.status === 'miss') out.push(`'${id}' runs: ${up.reasons.join('; ')}`);
    else out.push(...rootCauses(up, byId, seen));
  }
  return out;
}

function explain(node: PlannedNode, byId: Map<string, PlannedNode>, io: CliIO): void {
  line(io.stdout, `${node.id} (${node.stage}): ${node.status}`);
  line(io.stdout, `  key       ${node.key ?? 'not known until upstream stages have run'}`);
  if (node.previous) line(io.stdout, `  last run  ${node.previous.key} (${node.previous.status})`);
  if (node.status === 'hit') line(io.stdout, '  cached: nothing changed since the entry was made');
  if (node.reusedAcrossCodeChange) line(io.stdout, `  note      ${reusedNote(node.reusedAcrossCodeChange)}`);
  for (const reason of node.reasons) line(io.stdout, `  because   ${reason}`);
  for (const cause of rootCauses(node, byId)) line(io.stdout, `  upstream  ${cause}`);
  if (node.keyInput) {
    const { inputs, params, code, ...rest } = node.keyInput;
    line(io.stdout, `  key material: ${canonicalJson(rest)}`);
    line(io.stdout, `    params ${canonicalJson(params)}`);
    for (const [name, hash] of Object.entries(inputs))
      line(io.stdout, `    input ${name} ${Array.isArray(hash) ? hash.join(', ') : hash}`);
    for (const [file, hash] of Object.entries(code?.files ?? {})) line(io.stdout, `    code ${file} ${hash}`);
    for (const [name, version] of Object.entries(code?.runtime ?? {}))
      line(io.stdout, `    runtime ${name} ${version}`);
    for (const entry of code?.unresolved ?? [])
      line(io.stdout, `    unresolved import ${entry} (nothing on disk: its code is not in the key)`);
  }
}

export const whyCommand: CliCommand = {
  name: 'why',
  summary: 'explain one stage: its key, what it is made of, and why it would (not) run',
  usage,
  async run(argv, io) {
    const { values, positionals, tokens } = parseCommandArgs(argv, specOptions, usage);
    if (values.help) return printUsage(io, usage);
    if (positionals.length !== 2) throw usageError('why takes a spec file and a stage id', usage);
    const [spec, stage] = positionals as [string, string];
    const graph = await loadCliSpec(spec, io, values.plugin, overridesOf(tokens));
    const plan = await planGraph(graph, await openCliCache(values.cache, io), { only: [stage] });
    const byId = new Map(plan.nodes.map((n) => [n.id, n]));
    const targets = plan.nodes.filter((n) => n.id === stage || n.stageId === stage);
    if (values.json) {
      line(
        io.stdout,
        JSON.stringify(
          targets.map((n) => ({ ...n, upstream: rootCauses(n, byId) })),
          null,
          1,
        ),
      );
      return 0;
    }
    targets.forEach((node, i) => {
      if (i > 0) line(io.stdout);
      explain(node, byId, io);
    });
    return 0;
  },
};
