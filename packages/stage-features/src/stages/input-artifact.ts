import { type Artifact, SerxError, type StageContext } from '@serx/core';

/** The single (non-`many`) artifact wired to input `name`. */
export function singleInput(ctx: StageContext<unknown>, name: string): Artifact {
  const input = ctx.inputs[name];
  if (!input || Array.isArray(input))
    throw new SerxError('STAGE_FAILED', `${ctx.id}: input '${name}' must be one artifact`);
  return input as Artifact;
}
