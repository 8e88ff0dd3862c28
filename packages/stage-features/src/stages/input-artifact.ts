import { type Artifact, ErrorCodes, SerxError, type StageContext } from '@serx/core';

/** The single (non-`many`) artifact wired to input `name`. */
export function singleInput(ctx: StageContext<unknown>, name: string): Artifact {
  const input = ctx.inputs[name];
  if (!input || Array.isArray(input))
    throw new SerxError(ErrorCodes.INTERNAL, `${ctx.id}: input '${name}' must be one artifact`);
  return input as Artifact;
}

/** The artifacts wired to a `many` input (none when an optional one is unwired). */
export function manyInputs(ctx: StageContext<unknown>, name: string): readonly Artifact[] {
  const input = ctx.inputs[name];
  if (input === undefined) return [];
  return Array.isArray(input) ? input : [input as Artifact];
}
