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

/** A node that must be computed, in a cache that cannot be written. */
export function readOnlyMiss(node: GraphNode, cacheDir: string, why: string, corrupt: boolean): SerxError {
  return new SerxError(
    'ENVIRONMENT',
    `stage '${node.id}' (${node.definition.name}) ${corrupt ? 'has a corrupt entry' : 'is not in the cache'} and must be computed, but the cache ${cacheDir} is read-only (${why}); computing writes its tmp/, locks/, work/ and entries/: run with --cache <a writable copy> (or SERX_CACHE)`,
    { loc: node.loc, specPath: `stages.${node.stageId}` },
  );
}
