/**
 * Stage-level view of a spec (before matrix expansion): which registered stage each id uses and
 * how its inputs are wired. All wiring errors are found here.
 */
import type { InputSpec, Json } from '../contract.ts';
import { inheritDefiningModule } from '../defining-module.ts';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes, SerxError } from '../errors.ts';
import { PORT_NAME, type RegisteredStage, type Registry } from '../plugins/registry.ts';
import type { MatrixAxis, SpecDocument, StageNode } from '../spec/document.ts';
import { referencedAxes } from '../spec/interpolate.ts';
import type { ParsedRef } from '../spec/references.ts';
import { readShardSetting, type ShardSetting } from '../spec/shards.ts';
import type { IssueList } from '../spec/spec-error.ts';
import { suggest } from '../spec/suggest.ts';
import { type LNode, type LScalar, toJson } from '../spec/yaml-tree.ts';
import type { KnownStages } from './check-ref.ts';
import { checkRef, readTemplate, typeText } from './check-ref.ts';

export interface RefTemplate {
  node: LScalar;
  /** Matrix axes the reference text itself uses (`ae_${matrix.enc}.encoder`). */
  axes: string[];
  /** Every reference the template can name, with the assignment of `axes` that names it. */
  candidates: { assignment: { [axis: string]: Json }; ref: ParsedRef }[];
}

export interface InputTemplate {
  name: string;
  spec: InputSpec;
  keyLoc: SourceLocation;
  refs: RefTemplate[];
}

export interface StagePlan {
  id: string;
  index: number;
  keyLoc: SourceLocation;
  registered: RegisteredStage;
  params: LNode | undefined;
  seed: LNode | undefined;
  pin: boolean;
  shards?: ShardSetting;
  inputs: InputTemplate[];
  /** Axes named in this stage's params, seed and inputs, in matrix order. */
  ownAxes: string[];
  /** For a stage with spec-declared ports: its outputs (name → type), handed to it as `params.outputs`. */
  specOutputs?: { [name: string]: string };
}

export function buildStagePlans(doc: SpecDocument, registry: Registry, issues: IssueList): StagePlan[] {
  const registered = new Map<string, RegisteredStage>();
  for (const stage of doc.stages) {
    const found = resolveUses(stage, registry, issues);
    const ported = found && withSpecPorts(stage, found, issues);
    if (ported) registered.set(stage.id, ported);
  }
  const known: KnownStages = { registered, ids: new Set(doc.stages.map((stage) => stage.id)) };
  const axisNames = new Set(doc.matrix.map((axis) => axis.name));
  const plans: StagePlan[] = [];
  for (const stage of doc.stages) {
    const stageDef = registered.get(stage.id);
    if (!stageDef) continue;
    const field = (key: string) => stage.map.entries.get(key)?.value;
    const axisLocs = new Map<string, SourceLocation>();
    for (const key of ['params', 'seed', 'inputs']) referencedAxes(field(key), axisLocs);
    for (const [axis, loc] of axisLocs) {
      if (!axisNames.has(axis)) {
        issues.add({
          code: ErrorCodes.SPEC_MATRIX,
          message: `undefined matrix axis '${axis}'${suggest(axis, axisNames)}`,
          loc,
          specPath: `stages.${stage.id}`,
        });
      }
    }
    const pin = field('pin');
    if (pin && (pin.kind !== 'scalar' || typeof pin.value !== 'boolean')) {
      issues.add({
        code: ErrorCodes.SPEC_INVALID,
        message: 'must be true or false',
        loc: pin.loc,
        specPath: `stages.${stage.id}.pin`,
      });
    }
    const shards = readShardSetting(stage, stageDef.definition, issues);
    plans.push({
      id: stage.id,
      index: stage.index,
      keyLoc: stage.keyLoc,
      registered: stageDef,
      params: field('params'),
      seed: field('seed'),
      pin: pin?.kind === 'scalar' && pin.value === true,
      ...(shards ? { shards } : {}),
      inputs: readInputs(stage, stageDef, known, doc.matrix, issues),
      ownAxes: doc.matrix.map((axis) => axis.name).filter((axis) => axisLocs.has(axis)),
      ...(stageDef.definition.specPorts
        ? {
            specOutputs: Object.fromEntries(
              Object.entries(stageDef.definition.outputs).map(([name, spec]) => [name, spec.type]),
            ),
          }
        : {}),
    });
  }
  return plans;
}

function resolveUses(stage: StageNode, registry: Registry, issues: IssueList): RegisteredStage | undefined {
  const uses = stage.map.entries.get('uses')?.value;
  if (uses?.kind !== 'scalar' || typeof uses.value !== 'string') {
    issues.add({
      code: ErrorCodes.SPEC_INVALID,
      message: 'a stage needs `uses: <plugin>:<stage>`',
      loc: uses?.loc ?? stage.keyLoc,
      specPath: `stages.${stage.id}.uses`,
    });
    return undefined;
  }
  const found = registry.get(uses.value);
  if (!found) {
    const hint =
      suggest(uses.value, registry.stageNames()) ||
      ` (loaded plugins: ${
        registry
          .plugins()
          .map((p) => p.name)
          .join(', ') || 'none'
      })`;
    issues.add({
      code: ErrorCodes.SPEC_STAGE_UNKNOWN,
      message: `unknown stage '${uses.value}'${hint}`,
      loc: uses.loc,
      specPath: `stages.${stage.id}.uses`,
    });
  }
  return found;
}

/**
 * A stage that takes its ports from the spec node (`specPorts`) gets a definition of its own for
 * this node, with the declared ports; every later check sees them like declared ones.
 */
function withSpecPorts(
  stage: StageNode,
  found: RegisteredStage,
  issues: IssueList,
): RegisteredStage | undefined {
  const outputsEntry = stage.map.entries.get('outputs');
  const base = found.definition;
  if (!base.specPorts) {
    if (outputsEntry)
      issues.add({
        code: ErrorCodes.SPEC_UNKNOWN_KEY,
        message: `stage '${base.name}' declares its own outputs (${Object.keys(base.outputs).join(', ') || 'none'}); \`outputs:\` is only for stages whose ports the spec declares (uses: command)`,
        loc: outputsEntry.keyLoc,
        specPath: `stages.${stage.id}.outputs`,
      });
    return found;
  }
  const inputsNode = stage.map.entries.get('inputs')?.value;
  const outputsNode = outputsEntry?.value;
  const paramsNode = stage.map.entries.get('params')?.value;
  const clash = paramsNode?.kind === 'map' ? paramsNode.entries.get('outputs') : undefined;
  if (clash) {
    issues.add({
      code: ErrorCodes.SPEC_INVALID,
      message: `declare outputs under stages.${stage.id}.outputs, not under params`,
      loc: clash.keyLoc,
      specPath: `stages.${stage.id}.params.outputs`,
    });
    return undefined;
  }
  if (outputsNode && outputsNode.kind !== 'map') {
    issues.add({
      code: ErrorCodes.SPEC_INVALID,
      message: 'must be a map of output name to artifact type',
      loc: outputsNode.loc,
      specPath: `stages.${stage.id}.outputs`,
    });
    return undefined;
  }
  try {
    const ports = base.specPorts({
      inputs:
        inputsNode?.kind === 'map'
          ? [...inputsNode.entries.values()].map((entry) => ({
              name: entry.key,
              list:
                entry.value.kind === 'seq' ||
                (entry.value.kind === 'scalar' && String(entry.value.value).includes('[*]')),
            }))
          : [],
      outputs: outputsNode ? (toJson(outputsNode) as { [name: string]: Json }) : {},
      params: paramsNode?.kind === 'map' ? (toJson(paramsNode) as { [key: string]: Json }) : {},
    });
    // Output names become directory names in the cache: plain names only, as for declared ports.
    for (const [kind, names] of [
      ['output', Object.keys(ports.outputs)],
      ['input', Object.keys(ports.inputs)],
    ] as const) {
      const bad = names.find((name) => !PORT_NAME.test(name));
      if (bad !== undefined)
        throw new SerxError(
          ErrorCodes.SPEC_INVALID,
          `${kind} name ${JSON.stringify(bad)} must match ${PORT_NAME.source} (a letter, then letters, digits, _ or -)`,
        );
    }
    const definition = { ...base, inputs: ports.inputs, outputs: ports.outputs };
    inheritDefiningModule(definition, base);
    return { ...found, definition };
  } catch (error) {
    if (!(error instanceof SerxError)) throw error;
    issues.add({
      code: error.code,
      message: error.message,
      loc: outputsNode?.loc ?? stage.keyLoc,
      specPath: `stages.${stage.id}.outputs`,
    });
    return undefined;
  }
}

function readInputs(
  stage: StageNode,
  self: RegisteredStage,
  known: KnownStages,
  matrix: MatrixAxis[],
  issues: IssueList,
): InputTemplate[] {
  const declared = self.definition.inputs;
  const inputs: InputTemplate[] = [];
  const node = stage.map.entries.get('inputs')?.value;
  if (node && node.kind !== 'map') {
    issues.add({
      code: ErrorCodes.SPEC_INVALID,
      message: 'must be a map of input name to reference(s)',
      loc: node.loc,
      specPath: `stages.${stage.id}.inputs`,
    });
  }
  const wired = node?.kind === 'map' ? node.entries : new Map();
  for (const entry of wired.values()) {
    const path = `stages.${stage.id}.inputs.${entry.key}`;
    const spec = declared[entry.key];
    if (!spec) {
      const names = Object.keys(declared);
      issues.add({
        code: ErrorCodes.SPEC_INPUT_UNKNOWN,
        message: `stage '${self.definition.name}' has no input '${entry.key}'${suggest(entry.key, names) || ` (inputs: ${names.join(', ') || 'none'})`}`,
        loc: entry.keyLoc,
        specPath: path,
      });
      continue;
    }
    const value = entry.value as LNode;
    if (value.kind === 'seq' && !spec.many) {
      issues.add({
        code: ErrorCodes.SPEC_INPUT_TYPE,
        message: `input '${entry.key}' takes one artifact, not a list`,
        loc: value.loc,
        specPath: path,
      });
      continue;
    }
    const items = value.kind === 'seq' ? value.items : [value];
    const refs: RefTemplate[] = [];
    for (const item of items) {
      if (item.kind !== 'scalar' || typeof item.value !== 'string') {
        issues.add({
          code: ErrorCodes.SPEC_INVALID,
          message: 'a reference must be a string <stage id>.<output>',
          loc: item.loc,
          specPath: path,
        });
        continue;
      }
      issues.collect(() => {
        const template = readTemplate(item, matrix, path);
        for (const { ref } of template.candidates)
          checkRef(ref, item.loc, path, entry.key, spec, known, issues);
        refs.push(template);
      });
    }
    if (refs.length > 0 || items.length === 0)
      inputs.push({ name: entry.key, spec, keyLoc: entry.keyLoc, refs });
  }
  for (const [name, spec] of Object.entries(declared)) {
    const given = inputs.find((input) => input.name === name);
    if (!spec.optional && !wired.has(name)) {
      issues.add({
        code: ErrorCodes.SPEC_INPUT_MISSING,
        message: `stage '${stage.id}' (${self.definition.name}) needs input '${name}' (type ${typeText(spec)})`,
        loc: stage.keyLoc,
        specPath: `stages.${stage.id}.inputs`,
      });
    } else if (!spec.optional && given && given.refs.length === 0 && wired.get(name)?.value.kind === 'seq') {
      issues.add({
        code: ErrorCodes.SPEC_INPUT_MISSING,
        message: `input '${name}' of stage '${stage.id}' needs at least one reference`,
        loc: given.keyLoc,
        specPath: `stages.${stage.id}.inputs.${name}`,
      });
    }
  }
  return inputs;
}
