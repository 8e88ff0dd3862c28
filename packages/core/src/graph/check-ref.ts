/** Checks one input reference against the stage it names. */
import type { InputSpec } from '../contract.ts';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes } from '../errors.ts';
import type { RegisteredStage } from '../plugins/registry.ts';
import type { MatrixAxis } from '../spec/document.ts';
import { referencedAxes } from '../spec/interpolate.ts';
import type { ParsedRef } from '../spec/references.ts';
import { refFor } from '../spec/references.ts';
import type { IssueList } from '../spec/spec-error.ts';
import { suggest } from '../spec/suggest.ts';
import type { LScalar } from '../spec/yaml-tree.ts';
import { cartesian } from './cartesian.ts';
import type { RefTemplate } from './stage-plan.ts';

export interface KnownStages {
  /** Every stage id of the spec. */
  ids: Set<string>;
  /** The ids whose `uses:` names a registered stage. */
  registered: Map<string, RegisteredStage>;
}

export function readTemplate(node: LScalar, matrix: MatrixAxis[], path: string): RefTemplate {
  const used = referencedAxes(node);
  const axes = matrix.filter((axis) => used.has(axis.name));
  const candidates = cartesian(axes).map((assignment) => ({
    assignment,
    ref: refFor(node, assignment, path),
  }));
  return { node, axes: axes.map((axis) => axis.name), candidates };
}

export function checkRef(
  ref: ParsedRef,
  loc: SourceLocation,
  path: string,
  inputName: string,
  spec: InputSpec,
  known: KnownStages,
  issues: IssueList,
): void {
  if (!known.ids.has(ref.stage)) {
    issues.add({
      code: ErrorCodes.SPEC_REF_UNKNOWN,
      message: `reference to unknown stage '${ref.stage}'${suggest(ref.stage, known.ids)}`,
      loc,
      specPath: path,
    });
    return;
  }
  // A stage whose `uses:` is unknown was reported already; its outputs cannot be checked.
  const upstream = known.registered.get(ref.stage);
  if (!upstream) return;
  const output = upstream.definition.outputs[ref.output];
  if (!output) {
    const names = Object.keys(upstream.definition.outputs);
    issues.add({
      code: ErrorCodes.SPEC_REF_UNKNOWN,
      message: `stage '${ref.stage}' (${upstream.definition.name}) has no output '${ref.output}'${suggest(ref.output, names) || ` (outputs: ${names.join(', ')})`}`,
      loc,
      specPath: path,
    });
    return;
  }
  const accepted: readonly string[] = typeof spec.type === 'string' ? [spec.type] : spec.type;
  if (!accepted.includes(output.type) && !accepted.includes('*')) {
    issues.add({
      code: ErrorCodes.SPEC_INPUT_TYPE,
      message: `input '${inputName}' takes ${typeText(spec)} but ${ref.stage}.${ref.output} is ${output.type}`,
      loc,
      specPath: path,
    });
  }
  if (ref.star && !spec.many) {
    issues.add({
      code: ErrorCodes.SPEC_MATRIX,
      message: `[*] gathers all variants into a list, but input '${inputName}' takes one artifact (it is not 'many')`,
      loc,
      specPath: path,
    });
  }
}

export function typeText(spec: InputSpec): string {
  return typeof spec.type === 'string' ? spec.type : spec.type.join(' | ');
}
