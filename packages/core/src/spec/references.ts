import type { Json } from '../contract.ts';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes } from '../errors.ts';
import { interpolateScalar } from './interpolate.ts';
import { specError } from './spec-error.ts';
import type { LScalar } from './yaml-tree.ts';

/** `<stage id>.<output>` or `<stage id>.<output>[*]` (all matrix variants). */
export interface ParsedRef {
  stage: string;
  output: string;
  star: boolean;
}

const REF = /^([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)(\[\*\])?$/;

export function parseRef(text: string, loc: SourceLocation, specPath: string): ParsedRef {
  const match = REF.exec(text.trim());
  if (!match) {
    throw specError({
      code: ErrorCodes.SPEC_INVALID,
      message: `bad reference '${text}': expected <stage id>.<output> or <stage id>.<output>[*]`,
      loc,
      specPath,
    });
  }
  return { stage: match[1] as string, output: match[2] as string, star: match[3] !== undefined };
}

/** The reference a template names under one matrix assignment. */
export function refFor(template: LScalar, assignment: { [axis: string]: Json }, specPath: string): ParsedRef {
  const node = interpolateScalar(
    template,
    (kind, name, _fallback, loc) => {
      if (kind === 'matrix' && name in assignment) return assignment[name] as Json;
      throw specError({ code: ErrorCodes.SPEC_MATRIX, message: `undefined matrix axis '${name}'`, loc });
    },
    { final: true },
  );
  if (node.kind !== 'scalar' || typeof node.value !== 'string') {
    throw specError({
      code: ErrorCodes.SPEC_INVALID,
      message: 'a reference must be a string',
      loc: template.loc,
      specPath,
    });
  }
  return parseRef(node.value, template.loc, specPath);
}
