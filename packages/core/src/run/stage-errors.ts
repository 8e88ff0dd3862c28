import { SerxError } from '../errors.ts';
import type { GraphNode } from '../graph/types.ts';

/** A stage's exception, wrapped with the node id and stage name; the original is the `cause`. */
export function stageFailed(node: GraphNode, cause: unknown): SerxError {
  if (cause instanceof SerxError && cause.code === 'STAGE_FAILED') return cause;
  const detail =
    cause instanceof SerxError ? cause.format() : cause instanceof Error ? cause.message : String(cause);
  return new SerxError('STAGE_FAILED', `stage '${node.id}' (${node.definition.name}) failed: ${detail}`, {
    loc: node.loc,
    specPath: `stages.${node.stageId}`,
    cause,
  });
}

export function stageBrokeContract(node: GraphNode, problem: string): SerxError {
  return new SerxError('STAGE_FAILED', `stage '${node.id}' (${node.definition.name}) ${problem}`, {
    loc: node.loc,
    specPath: `stages.${node.stageId}`,
  });
}

export function interrupted(reason: string): SerxError {
  return new SerxError('INTERRUPTED', reason);
}
